// Builds the front end into MarketWatch.Web/wwwroot: dist/ (JS and CSS bundles, icons, screenshots; the app adds
// a content hash query string through asp-append-version) and sw.js at the root (a service worker's scope is its folder).
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import crypto from 'node:crypto';

const here = path.dirname(fileURLToPath(import.meta.url));
const wwwroot = path.join(here, '..', 'MarketWatch.Web', 'wwwroot');
const outdir = path.join(wwwroot, 'dist');

const options = {
  entryPoints: ['app.js', 'chart.js', 'watchlist.js', 'transactions.js', 'portfolio.js', 'portfolio-share.js'].map((f) => path.join(here, 'js', f)).concat(path.join(here, 'css', 'app.css')),
  bundle: true,
  minify: true,
  sourcemap: true,
  target: ['es2020'],
  outdir,
  logLevel: 'warning',
};

function copyFolder(from, to) {
  fs.mkdirSync(to, { recursive: true });
  if (!fs.existsSync(from)) return;
  for (const file of fs.readdirSync(from)) {
    if (file.endsWith('.png')) fs.copyFileSync(path.join(from, file), path.join(to, file));
  }
}

async function build() {
  await esbuild.build(options);
  copyFolder(path.join(here, 'icons'), path.join(outdir, 'icons'));
  copyFolder(path.join(here, 'screenshots'), path.join(outdir, 'screenshots'));
  // The app shell the service worker precaches, and a version that changes whenever any of it does.
  const shell = ['js/app.js', 'css/app.css', 'js/chart.js', 'js/watchlist.js', 'icons/icon-192.png', 'icons/icon-512.png', 'icons/badge-96.png'];
  const hash = crypto.createHash('sha256');
  for (const file of shell) hash.update(fs.readFileSync(path.join(outdir, file)));
  await esbuild.build({
    entryPoints: [path.join(here, 'sw.js')],
    bundle: true,
    minify: true,
    target: ['es2020'],
    outfile: path.join(wwwroot, 'sw.js'),
    define: { __VERSION__: JSON.stringify(hash.digest('hex').slice(0, 12)), __PRECACHE__: JSON.stringify(shell.map((f) => '/dist/' + f)) },
    logLevel: 'warning',
  });
}

if (process.argv.includes('--watch')) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
  console.log('watching wwwroot-src/ ... (run the build again for the service worker)');
} else {
  await build();
}
