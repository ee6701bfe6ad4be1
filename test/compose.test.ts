import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from './support/process.js';

function compose(args: string[], env: Record<string, string> = { HLS_ADMIN_TOKEN: 'x' }) {
  const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  assert.ok(!result.error, `docker-compose could not run: ${result.error?.message}`);
  return result;
}

describe('docker-compose.yml (validated with Debian docker-compose; no Docker engine here)', () => {
  it('is valid', () => {
    const result = compose(['config', '-q']);
    assert.equal(result.status, 0, result.stderr);
  });

  it('has postgres, control-plane, origin and edge, each with a health check, and named volumes', () => {
    assert.deepEqual(compose(['config', '--services']).stdout.trim().split('\n').sort(), ['control-plane', 'edge', 'origin', 'postgres']);
    assert.deepEqual(compose(['config', '--volumes']).stdout.trim().split('\n').sort(), ['cpdata', 'edgecache', 'media', 'pgdata']);
    const rendered = compose(['config']).stdout;
    assert.equal(rendered.match(/^\s+healthcheck:/gm)?.length, 4, 'one health check per service');
  });

  it('refuses to start without an admin token', () => {
    const result = compose(['config', '-q'], { HLS_ADMIN_TOKEN: '' });
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /HLS_ADMIN_TOKEN/);
  });

  it('builds the control plane with the same commands the tests run natively', async () => {
    const dockerfile = await readFile(path.join(REPO_ROOT, 'control-plane', 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /npm ci/);
    assert.match(dockerfile, /tsc -p tsconfig\.json/);
    assert.match(dockerfile, /CMD \["node", "dist\/control-plane\/src\/main\.js"\]/);
  });
});
