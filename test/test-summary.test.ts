import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';

const scripts = path.resolve('scripts');

/** Failures that belong to no test: they must count, or "0 failed" could close a failed run. */
const BROKEN = `
import { after, describe, it } from 'node:test';
describe('a describe body that throws', () => {
  it('a test in it', () => {});
  throw new Error('body throws');
});
describe('a failing after hook', () => {
  after(() => { throw new Error('after fails'); });
  it('passes', () => {});
});
describe('a failing test', () => {
  it('fails', () => { throw new Error('plain failure'); });
});
`;

describe('the closing test summary', () => {
  it('counts a throwing describe body, a failing after hook and a file that cannot load as failures', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hls-summary-'));
    try {
      await writeFile(path.join(dir, 'broken.test.mjs'), BROKEN);
      await writeFile(path.join(dir, 'crash.test.mjs'), "throw new Error('cannot load');\n");
      const summaryFile = path.join(dir, 'summary.json');
      const env: NodeJS.ProcessEnv = { ...process.env, TEST_SUMMARY_FILE: summaryFile };
      delete env.NODE_TEST_CONTEXT; // else the child reports to this runner instead of its reporter
      const reporter = pathToFileURL(path.join(scripts, 'summary-reporter.mjs')).href;
      const run = spawnSync(process.execPath, ['--test', `--test-reporter=${reporter}`, 'broken.test.mjs', 'crash.test.mjs'], {
        cwd: dir,
        env,
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(run.status, 1, run.stderr);
      const counts = JSON.parse(await readFile(summaryFile, 'utf8'));
      assert.equal(counts.passed, 1);
      // The cancelled test, the describe body, the after hook, the plain failure, the crashing file.
      assert.equal(counts.failed, 5, JSON.stringify(counts.failures));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('never closes a failed run with "0 failed"', async () => {
    const { closingLine } = await import(pathToFileURL(path.join(scripts, 'run-tests.mjs')).href);
    assert.match(closingLine({ passed: 7, failed: 0, failures: [] }, 1), /^7 passed, 1 failed \(the test runner exited with code 1/m);
    assert.match(closingLine(null, 137), /^0 passed, 1 failed/);
    assert.match(closingLine({ passed: 7, failed: 0, failures: [] }, 0), /^7 passed, 0 failed$/);
    assert.match(closingLine({ passed: 7, failed: 2, failures: ['a', 'b'] }, 1), /\n7 passed, 2 failed$/);
  });
});
