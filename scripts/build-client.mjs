#!/usr/bin/env node
// Bundles the web application's one script (client/app.ts) with esbuild into dist/client/app.js,
// served from /assets/app.js. Run by npm install, npm start and npm test; a few tens of ms.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [join(root, 'client', 'app.ts')],
  outfile: join(root, 'dist', 'client', 'app.js'),
  bundle: true,
  format: 'esm',
  target: 'es2020',
  minify: true,
  sourcemap: true,
  logLevel: process.argv.includes('--quiet') ? 'warning' : 'info',
});
