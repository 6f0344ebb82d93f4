// In a browser the page's own WebSocket is used; this stands in for Node's ws package.
export default undefined;
