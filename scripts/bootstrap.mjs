#!/usr/bin/env node
// The two README commands end here: `npm start` -> `bootstrap.mjs start`, `npm test` -> `bootstrap.mjs test`.
// Dependency-free on purpose: it runs before node_modules exists. It installs what is missing
// (npm packages; OS packages when it is allowed to), builds, then runs the system or the suite.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureOsPackages } from './os-packages.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MIN_NODE_MAJOR = 20;

function say(message) {
  console.log(`[bootstrap] ${message}`);
}

export function fail(message) {
  console.error(`[bootstrap] ${message}`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) fail(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed with exit code ${result.status}`);
}

function checkNode() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < MIN_NODE_MAJOR) fail(`Node ${MIN_NODE_MAJOR} or newer is needed, this is ${process.versions.node}`);
}

/** `npm ci` when node_modules is missing or older than the lock file. */
function ensureDependencies() {
  const lock = path.join(root, 'package-lock.json');
  const installed = path.join(root, 'node_modules', '.package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return;
  say('installing npm dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

/** wasm-core (skipped when up to date), then an incremental TypeScript build. */
function build() {
  run(process.execPath, [path.join(root, 'wasm-core', 'build.mjs')]);
  run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
  // The njs modules: type-checked against njs-types and compiled to ES5 for njs 0.7.9 and 0.8.
  run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join('nginx', 'njs', 'tsconfig.json')]);
  // The web console: type-checked, then bundled by esbuild into dist/console.
  run(process.execPath, [path.join(root, 'control-plane', 'console', 'build.mjs')]);
}

const command = process.argv[2];
checkNode();
if (command === 'start') {
  ensureDependencies();
  ensureOsPackages('start', { say, fail });
  build();
  say('starting the control plane');
  await import(pathToFileURL(path.join(root, 'dist', 'control-plane', 'src', 'main.js')).href);
} else if (command === 'test') {
  ensureDependencies();
  ensureOsPackages('test', { say, fail });
  build();
  const { runTests } = await import(pathToFileURL(path.join(root, 'scripts', 'run-tests.mjs')).href);
  process.exitCode = await runTests(root, process.argv.slice(3));
} else if (command === 'bench') {
  ensureDependencies();
  // The benchmarks run the same real parts as the tests (nginx with njs, ffmpeg, Chromium).
  ensureOsPackages('test', { say, fail });
  build();
  const name = process.argv[3];
  if (!/^[a-z0-9-]+$/.test(name ?? '')) fail('usage: node scripts/bootstrap.mjs bench <name>');
  run(process.execPath, [path.join(root, 'dist', 'bench', `${name}.js`), ...process.argv.slice(4)]);
} else {
  fail('usage: node scripts/bootstrap.mjs start|test|bench <name>');
}
