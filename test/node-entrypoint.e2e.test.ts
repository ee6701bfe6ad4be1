import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, within } from './support/process.js';
import { eventually, startSystem, SystemUnderTest } from './support/system.js';

/**
 * nginx/node-entrypoint.sh, the provisioning of the compose origin and edge containers, run
 * natively against a real control plane. nginx itself is a stub that records what the script asks
 * of it: this is a unit test of the script, whose talk with nginx is two commands.
 */
describe('node-entrypoint.sh (compose origin and edge provisioning)', () => {
  let system: SystemUnderTest;
  let dir: string;
  let script: ChildProcess | null = null;
  const read = (file: string) => readFile(path.join(dir, file), 'utf8').catch(() => '');

  before(async () => {
    system = await startSystem();
    dir = await mkdtemp(path.join(os.tmpdir(), 'hls-entrypoint-'));
    await mkdir(path.join(dir, 'bin'));
    await writeFile(path.join(dir, 'bin', 'nginx'), `#!/bin/sh\necho "$*" >> "${path.join(dir, 'nginx-calls.log')}"\n`);
    await chmod(path.join(dir, 'bin', 'nginx'), 0o755);
  });
  after(async () => {
    // The script leaves its watch loop running, as in a container: stop its whole process group.
    if (script?.pid) {
      try {
        process.kill(-script.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await system?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('registers the node, installs the njs modules and its config, and applies a change as it happens', { timeout: 120_000 }, async () => {
    script = spawn('sh', [path.join(REPO_ROOT, 'nginx', 'node-entrypoint.sh')], {
      detached: true,
      stdio: 'ignore',
      env: {
        PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`,
        HLS_NODE_ROLE: 'origin',
        HLS_NODE_NAME: 'origin-x',
        HLS_NODE_URL: 'http://origin-x:8080',
        HLS_CONTROL_PLANE: `http://127.0.0.1:${system.apiPort}`,
        HLS_ADMIN_TOKEN: system.token,
        HLS_WAIT_SECONDS: '20',
        HLS_NGINX_CONF: path.join(dir, 'default.conf'),
        HLS_NJS_DIR: path.join(dir, 'njs'),
        HLS_CACHE_DIR: path.join(dir, 'cache'),
        HLS_WORK_DIR: dir,
      },
    });
    const exited = new Promise<number | null>((resolve) => script!.once('exit', resolve));
    assert.equal(await within(exited, 60_000, 'the entrypoint script'), 0, 'the script returns so nginx can start; its watch goes on');

    const node = await system.api('GET', '/api/v1/nodes/origin-x');
    assert.equal(node.status, 200, 'registered itself');
    assert.equal(node.json.role, 'origin');
    const files = (await system.api('GET', '/api/v1/edge-files')).json as string[];
    assert.deepEqual((await readdir(path.join(dir, 'njs'))).sort(), [...files].sort());
    const first = await read('default.conf');
    assert.match(first, /X-HLS-Config-Generation "[0-9a-f]{16}"/);
    assert.doesNotMatch(first, /"[0-9a-f]{64}" 1;/, 'no edge to trust yet');

    // A new edge: the waiting origin learns its control token and reloads nginx.
    assert.equal((await system.api('POST', '/api/v1/nodes', { name: 'edge-x', role: 'edge', baseUrl: 'http://127.0.0.1:9' })).status, 201);
    await eventually(async () => ((await read('default.conf')).match(/"[0-9a-f]{64}" 1;/) ? true : undefined), 60_000, 'the new edge in the origin config');
    const calls = await eventually(
      async () => ((await read('nginx-calls.log')).includes('-s reload') ? read('nginx-calls.log') : undefined),
      10_000,
      'a reload',
    );
    assert.match(calls, /^-t -q\n-s reload\n$/, 'checked with nginx -t, then reloaded');
  });
});
