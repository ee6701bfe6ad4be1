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

  it('provisions the origin and the edge from the control plane: njs loaded, entrypoint a valid shell script fetching the rendered config', async () => {
    const rendered = compose(['config']).stdout;
    assert.equal(rendered.match(/node-entrypoint\.sh:\/docker-entrypoint\.d\/40-hls-node\.sh/g)?.length, 2, 'origin and edge');
    assert.equal(rendered.match(/node-main\.conf:\/etc\/nginx\/nginx\.conf/g)?.length, 2, 'origin and edge');
    assert.match(rendered, /HLS_NODE_ROLE: origin/);
    assert.match(rendered, /HLS_NODE_ROLE: edge/);
    assert.match(rendered, /host_ip: 127\.0\.0\.1\s+target: 8080|127\.0\.0\.1:8080:8080/, 'the origin is published on loopback only');
    assert.match(await readFile(path.join(REPO_ROOT, 'nginx', 'node-main.conf'), 'utf8'), /^load_module modules\/ngx_http_js_module\.so;$/m);
    const script = path.join(REPO_ROOT, 'nginx', 'node-entrypoint.sh');
    assert.equal(spawnSync('sh', ['-n', script]).status, 0, 'sh -n accepts the entrypoint');
    const text = await readFile(script, 'utf8');
    for (const route of ['/nodes/$HLS_NODE_NAME/nginx-config', '/edge-files/$file', 'nginx -t -q']) assert.ok(text.includes(route), route);
    assert.match(rendered, /HLS_LOCAL_ORIGIN: "false"/, 'the control plane leaves the origin to its container');
  });

  it('builds the control plane with the same commands the tests run natively', async () => {
    const dockerfile = await readFile(path.join(REPO_ROOT, 'control-plane', 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /npm ci/);
    assert.match(dockerfile, /tsc -p tsconfig\.json/);
    assert.match(dockerfile, /node wasm-core\/build\.mjs/);
    for (const dir of ['control-plane', 'migrations', 'wasm-core', 'nginx', 'bench', 'test'])
      assert.match(dockerfile, new RegExp(`^COPY ${dir} \\./${dir}$`, 'm'), `copies ${dir}/ (tsconfig compiles it)`);
    assert.match(dockerfile, /CMD \["node", "dist\/control-plane\/src\/main\.js"\]/);
  });
});
