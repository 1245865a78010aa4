// Bundles the app's JS and CSS into MarketWatch.Web/wwwroot/dist/ (fixed names; the app appends
// a content hash query string through asp-append-version, so caches stay correct).
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.join(here, '..', 'MarketWatch.Web', 'wwwroot', 'dist');

const options = {
  entryPoints: [path.join(here, 'js', 'app.js'), path.join(here, 'js', 'chart.js'), path.join(here, 'js', 'watchlist.js'), path.join(here, 'css', 'app.css')],
  bundle: true,
  minify: true,
  sourcemap: true,
  target: ['es2020'],
  outdir,
  logLevel: 'warning',
};

if (process.argv.includes('--watch')) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
  console.log('watching wwwroot-src/ ...');
} else {
  await esbuild.build(options);
}
