import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from './support/process.js';

const read = (file: string) => readFile(path.join(REPO_ROOT, file), 'utf8');

describe('README and CI stay true to the product', () => {
  it('the Quick start is exactly two commands: npm start and npm test', async () => {
    const readme = await read('README.md');
    const quickStart = readme.split(/^## /m).find((s) => s.startsWith('Quick start'));
    assert.ok(quickStart, 'a Quick start section');
    const block = /```sh\n([\s\S]*?)```/.exec(quickStart)![1];
    assert.deepEqual(block.trim().split('\n'), ['npm start', 'npm test']);
    const scripts = JSON.parse(await read('package.json')).scripts;
    assert.equal(scripts.start, 'node scripts/bootstrap.mjs start');
    assert.equal(scripts.test, 'node scripts/bootstrap.mjs test');
  });

  it('.ci/run runs the README test command', async () => {
    assert.match(await read('.ci/run'), /^npm test$/m);
  });

  it('documents every configuration variable the control plane reads', async () => {
    const readme = await read('README.md');
    const source = await read('control-plane/src/config/app-config.ts');
    const keys = [...source.matchAll(/'([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1]);
    assert.ok(keys.length >= 8, `found ${keys.join(', ')}`);
    for (const key of new Set(keys)) assert.match(readme, new RegExp(`\`${key}\``), `${key} documented`);
  });
});
