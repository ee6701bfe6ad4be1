import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freeLoopbackPort } from '../control-plane/src/database/embedded-postgres.js';
import { createTestDatabase, TestDatabase } from './support/database.js';
import { cleanEnv, RunningProcess, startProcess } from './support/process.js';

/** What `npm start` runs after its set-up; spawning it directly keeps npm's own output out of the way. */
const START = ['scripts/bootstrap.mjs', 'start'];

async function api(port: number, method: string, route: string, token: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`http://127.0.0.1:${port}${route}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function stopWith(proc: RunningProcess, signal: NodeJS.Signals): Promise<number | string> {
  proc.child.kill(signal);
  return proc.exitWithin();
}

describe('the README run command (npm start) with embedded PostgreSQL', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'hls-e2e-'));
    await chmod(dataDir, 0o755);
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('serves the API, keeps a created stream across SIGINT and restart, and stops PostgreSQL with it', async () => {
    const port = await freeLoopbackPort();
    const env = cleanEnv({ PORT: String(port), HOST: '127.0.0.1', HLS_HTTP_PORT: String(await freeLoopbackPort()), DATA_DIR: dataDir, HLS_ADMIN_TOKEN: 't' });

    const first = startProcess(process.execPath, START, env);
    await first.waitFor(/ready; Ctrl-C stops everything/);
    assert.match(first.output(), new RegExp(`http://127.0.0.1:${port}/api/docs`), 'prints where the docs are');
    const created = await api(port, 'POST', '/api/v1/streams', 't', { key: 'persisted', ingest: { port: 5500 } });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.equal((await api(port, 'GET', '/api/v1/streams/persisted', 't')).status, 200);
    const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
    await stat(pidFile); // PostgreSQL is running from DATA_DIR
    assert.equal(await stopWith(first, 'SIGINT'), 0, first.output());
    await assert.rejects(stat(pidFile), { code: 'ENOENT' }, 'PostgreSQL stopped cleanly with the control plane');
    assert.match(first.output(), /origin nginx serving/, 'the origin ran');
    assert.doesNotMatch(first.output(), /restarting/, 'a stop is not taken for a crash of nginx');

    const second = startProcess(process.execPath, START, env);
    try {
      await second.waitFor(/ready; Ctrl-C stops everything/);
      const listed = await api(port, 'GET', '/api/v1/streams', 't');
      assert.equal(listed.status, 200);
      assert.deepEqual(
        listed.json.items.map((s: { id: string }) => s.id),
        [created.json.id],
      );
    } finally {
      assert.equal(await stopWith(second, 'SIGTERM'), 0, second.output());
    }
  });

  it('without HLS_ADMIN_TOKEN generates one, prints it, keeps it in DATA_DIR, and the API refuses other tokens', async () => {
    const port = await freeLoopbackPort();
    const proc = startProcess(
      process.execPath,
      START,
      cleanEnv({ PORT: String(port), HOST: '127.0.0.1', HLS_HTTP_PORT: String(await freeLoopbackPort()), DATA_DIR: dataDir }),
    );
    try {
      await proc.waitFor(/ready; Ctrl-C stops everything/);
      const token = (await readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim();
      assert.ok(token.length >= 32);
      assert.ok(proc.output().includes(token), 'the generated token is printed');
      assert.equal((await api(port, 'GET', '/api/v1/streams', token)).status, 200);
      assert.equal((await api(port, 'GET', '/api/v1/streams', 't')).status, 401);
    } finally {
      assert.equal(await stopWith(proc, 'SIGTERM'), 0);
    }
  });

  it('after a crash (SIGKILL) it starts again: the PostgreSQL and nginx left behind are stopped and replaced', async () => {
    const port = await freeLoopbackPort();
    const httpPort = await freeLoopbackPort();
    const env = cleanEnv({ PORT: String(port), HOST: '127.0.0.1', HLS_HTTP_PORT: String(httpPort), DATA_DIR: dataDir, HLS_ADMIN_TOKEN: 't' });
    const first = startProcess(process.execPath, START, env);
    await first.waitFor(/ready; Ctrl-C stops everything/);
    assert.equal((await fetch(`http://127.0.0.1:${httpPort}/healthz`)).status, 200, 'origin up');
    first.child.kill('SIGKILL');
    await first.exitWithin();
    assert.equal((await fetch(`http://127.0.0.1:${httpPort}/healthz`)).status, 200, 'the orphaned origin still serves');
    const second = startProcess(process.execPath, START, env);
    try {
      await second.waitFor(/ready; Ctrl-C stops everything/);
      assert.match(second.output(), /stopped a PostgreSQL left running/);
      assert.match(second.output(), /stopped an origin nginx left running/);
      assert.equal((await api(port, 'GET', '/api/v1/streams/persisted', 't')).status, 200, 'data intact');
      assert.equal((await fetch(`http://127.0.0.1:${httpPort}/healthz`)).status, 200, 'origin up again');
    } finally {
      assert.equal(await stopWith(second, 'SIGTERM'), 0, second.output());
    }
  });

  it('stops at start-up with the key named when a setting is invalid', async () => {
    const proc = startProcess(process.execPath, START, cleanEnv({ PORT: 'eighty', DATA_DIR: dataDir }));
    assert.equal(await proc.exitWithin(), 1);
    assert.match(proc.output(), /invalid configuration: PORT must be a TCP port number, got "eighty"/);
  });
});

describe('the control-plane container command, natively, against an external PostgreSQL (DATABASE_URL)', () => {
  let database: TestDatabase;
  before(async () => (database = await createTestDatabase()));
  after(() => database.drop());

  it('migrates the database at start-up and reports ready', async () => {
    const port = await freeLoopbackPort();
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hls-cp-'));
    // The Dockerfile's CMD, with the environment docker-compose.yml gives it.
    const proc = startProcess(
      process.execPath,
      ['dist/control-plane/src/main.js'],
      cleanEnv({
        DATABASE_URL: database.url,
        HLS_ADMIN_TOKEN: 'compose',
        PORT: String(port),
        HOST: '127.0.0.1',
        MEDIA_ROOT: path.join(dataDir, 'media'),
        DATA_DIR: dataDir,
        HLS_LOCAL_ORIGIN: 'false',
      }),
    );
    try {
      await proc.waitFor(/ready; Ctrl-C stops everything/);
      assert.match(proc.output(), /database +DATABASE_URL/);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      assert.equal(ready.status, 200);
      assert.equal((await api(port, 'GET', '/api/v1/streams', 'compose')).json.total, 0);
      await assert.rejects(stat(path.join(dataDir, 'pg')), { code: 'ENOENT' }, 'no embedded cluster with DATABASE_URL');
      assert.doesNotMatch(proc.output(), /origin nginx serving/, "the origin is the origin container's job");
      // What nginx/node-entrypoint.sh does in the origin and edge containers, step by step.
      const register = (body: object) => api(port, 'POST', '/api/v1/nodes', 'compose', body);
      assert.equal((await register({ name: 'origin-1', role: 'origin', baseUrl: 'http://origin:8080', internalUrl: 'http://origin:8080' })).status, 201);
      assert.equal((await register({ name: 'edge-1', role: 'edge', baseUrl: 'http://localhost:8081', internalUrl: 'http://edge:8081' })).status, 201);
      assert.equal(
        (await register({ name: 'edge-1', role: 'edge', baseUrl: 'http://localhost:8081' })).status,
        409,
        'a restarted edge finds itself registered',
      );
      const files = await (await fetch(`http://127.0.0.1:${port}/api/v1/edge-files`, { headers: { Authorization: 'Bearer compose' } })).json();
      assert.deepEqual(files, [
        'cmcd.js',
        'cmsd.js',
        'edge-control.js',
        'edge.js',
        'hls-variables.js',
        'signed-urls.js',
        'token-check.js',
        'rules.js',
        'wasm-core.js',
      ]);
      for (const file of files) {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/edge-files/${file}`, { headers: { Authorization: 'Bearer compose' } });
        assert.match(res.headers.get('content-type') ?? '', /javascript/, file);
        assert.equal(res.status, 200, file);
        assert.match(await res.text(), /export default/);
      }
      const conf = await fetch(`http://127.0.0.1:${port}/api/v1/nodes/edge-1/nginx-config`, { headers: { Authorization: 'Bearer compose' } });
      assert.equal(conf.status, 200);
      const text = await conf.text();
      assert.match(text, /listen 8081;/);
      assert.match(text, /server origin:8080 /);
      assert.match(text, /js_path \/etc\/nginx\/njs;/);
      const originConf = await fetch(`http://127.0.0.1:${port}/api/v1/nodes/origin-1/nginx-config`, { headers: { Authorization: 'Bearer compose' } });
      assert.equal(originConf.status, 200);
      const originText = await originConf.text();
      assert.match(originText, /listen 8080;/);
      assert.match(originText, /root \/media;/);
      assert.match(originText, /js_path \/etc\/nginx\/njs;/);
      assert.equal(originText.match(/^ {4}"[0-9a-f]{64}" 1;$/gm)?.length, 1, 'the origin trusts edge-1 (its control token)');
    } finally {
      assert.equal(await stopWith(proc, 'SIGTERM'), 0);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
