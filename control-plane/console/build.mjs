#!/usr/bin/env node
// Builds the web console: type-checks it (tsc, its own tsconfig: DOM and JSX, not Node), then
// bundles it with esbuild into dist/console (console.js, console.css: Preact, uPlot and ours;
// nothing is fetched at run time). The control plane serves it at / (src/console).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

const check = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(here, 'tsconfig.json')], {
  stdio: 'inherit',
});
if (check.status !== 0) process.exit(check.status ?? 1);

await build({
  entryPoints: { console: path.join(here, 'src', 'main.tsx') },
  outdir: path.join(root, 'dist', 'console'),
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  logLevel: 'warning',
});
