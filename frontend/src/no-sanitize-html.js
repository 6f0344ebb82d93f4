// The page's manager shows HTML descriptions as text (PageWidgetManager.inline_sanitize), so
// sanitize-html and the HTML and CSS parsers it brings (about 240 KiB) stay out of the script.
export default function sanitizeHtml() {
  throw new Error('sanitize-html is not in this page');
}
