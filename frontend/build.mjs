// Builds the apps' front end into the hocso-light Voila template: one script and one style
// sheet, minified, with no address outside the server (the pages must work offline).
import { build } from 'esbuild';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = fileURLToPath(
  new URL('../src/hocso/apps/share/voila/templates/hocso-light/static/', import.meta.url)
);

const result = await build({
  entryPoints: { 'hocso-widgets': fileURLToPath(new URL('src/index.js', import.meta.url)) },
  outdir: out,
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020', // phones a few years old
  legalComments: 'none', // every bundled package's licence is in LICENSES.txt instead
  banner: { js: '/* Licences of the bundled packages: hocso-widgets.LICENSES.txt */' },
  // @jupyterlab/services reaches for Node's "ws" package outside a browser only.
  alias: {
    ws: fileURLToPath(new URL('src/no-ws.js', import.meta.url)),
    'sanitize-html': fileURLToPath(new URL('src/no-sanitize-html.js', import.meta.url)),
  },
  loader: { '.svg': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl', '.ttf': 'dataurl' },
  define: { 'process.env.NODE_ENV': '"production"' },
  metafile: true,
  logLevel: 'warning',
});
// The licence of every package that has code in the bundle, with its name and version.
const packages = new Map();
const used = Object.values(result.metafile.outputs).flatMap((output) =>
  Object.entries(output.inputs).filter(([, info]) => info.bytesInOutput > 0)
);
for (const [input] of used) {
  const match = input.match(/^(node_modules\/(?:.+\/node_modules\/)?(?:@[^/]+\/)?[^/]+)\//);
  if (match) {
    packages.set(match[1], JSON.parse(readFileSync(join(match[1], 'package.json'), 'utf8')));
  }
}
const sections = [...packages].sort(([a], [b]) => a.localeCompare(b)).map(([folder, meta]) => {
  const file = readdirSync(folder).find((name) => /^(licen[cs]e|copying)/i.test(name));
  const text = file ? readFileSync(join(folder, file), 'utf8').trim() : `License: ${meta.license}`;
  return `${meta.name} ${meta.version} (${meta.license})\n\n${text}\n`;
});
writeFileSync(
  join(out, 'hocso-widgets.LICENSES.txt'),
  `The packages bundled in hocso-widgets.js and hocso-widgets.css\n\n${sections.join('\n' + '-'.repeat(72) + '\n\n')}`
);
console.log(`${packages.size} packages bundled; their licences in hocso-widgets.LICENSES.txt`);

for (const [file, info] of Object.entries(result.metafile.outputs)) {
  console.log(`${file}: ${(info.bytes / 1024).toFixed(0)} KiB`);
}
