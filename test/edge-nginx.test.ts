import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freeLoopbackPort } from '../control-plane/src/database/embedded-postgres.js';
import { renderTemplateFile } from '../control-plane/src/origin/nginx-config.js';
import { njsModuleDirective } from '../control-plane/src/origin/nginx-instance.js';
import { NginxProcess } from '../control-plane/src/origin/nginx-process.js';
import { CwndMath } from '../wasm-core/host/cwnd.js';
import { REPO_ROOT } from './support/process.js';

const quiet = { log: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) };

/** Renders main.conf.template around a server template into `prefix` and starts nginx there. */
async function runNginx(prefix: string, serverTemplate: string, values: Record<string, string>): Promise<NginxProcess> {
  for (const dir of ['tmp/body', 'tmp/proxy', 'tmp/fastcgi', 'tmp/uwsgi', 'tmp/scgi']) await mkdir(path.join(prefix, dir), { recursive: true });
  const serverConf = path.join(prefix, 'server.conf');
  await writeFile(serverConf, await renderTemplateFile(serverTemplate, values));
  const mainConf = path.join(prefix, 'nginx.conf');
  const main = await renderTemplateFile('main.conf.template', { MODULES: njsModuleDirective(), USER_DIRECTIVE: process.getuid?.() === 0 ? 'user root root;' : '', PREFIX: prefix, SERVER_CONF: serverConf });
  await writeFile(mainConf, main);
  const nginx = new NginxProcess('nginx', prefix, mainConf, quiet, path.join(prefix, 'nginx.pid'));
  await nginx.start();
  return nginx;
}

/** The origin's request counter from stub_status ("server accepts handled requests"). */
async function originRequests(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/nginx_status`)).text();
  return Number(text.split('\n')[2].trim().split(/\s+/)[2]);
}

describe('edge nginx with njs in front of the origin (real nginx)', () => {
  let dir: string;
  let origin: NginxProcess;
  let edge: NginxProcess;
  let originPort: number;
  let edgePort: number;
  const segment = Buffer.alloc(1024 * 1024, 0x47);

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hls-edge-'));
    await rm(dir, { recursive: true, force: true });
    await mkdir(path.join(dir, 'media', 'live', 'demo', 'source'), { recursive: true });
    await writeFile(path.join(dir, 'media', 'live', 'demo', 'index.m3u8'), '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000000\nsource/index.m3u8\n');
    for (let i = 0; i < 60; i++) await writeFile(path.join(dir, 'media', 'live', 'demo', 'source', `seg${i}.ts`), segment);
    const njsDir = path.join(dir, 'njs');
    await mkdir(njsDir, { recursive: true });
    await copyFile(path.join(REPO_ROOT, 'nginx', 'njs', 'edge.js'), path.join(njsDir, 'edge.js'));
    await copyFile(path.join(REPO_ROOT, 'wasm-core', 'build', 'njs', 'wasm-core.js'), path.join(njsDir, 'wasm-core.js'));
    originPort = await freeLoopbackPort();
    edgePort = await freeLoopbackPort();
    origin = await runNginx(path.join(dir, 'origin'), 'origin-server.conf.template', { HLS_HTTP_PORT: String(originPort), MEDIA_ROOT: path.join(dir, 'media') });
    edge = await runNginx(path.join(dir, 'edge'), 'edge-server.conf.template', {
      EDGE_NAME: 'edge-a',
      EDGE_PORT: String(edgePort),
      CACHE_DIR: path.join(dir, 'edge', 'cache'),
      CACHE_MAX_SIZE: '256m',
      ORIGIN_UPSTREAM: `server 127.0.0.1:${originPort} max_fails=1 fail_timeout=2s;`,
      NJS_DIR: njsDir,
    });
  });
  after(async () => {
    await edge?.stop();
    await origin?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const get = (route: string) => fetch(`http://127.0.0.1:${edgePort}${route}`);

  it('caches segments: MISS, then HIT, with the origin headers passed on', async () => {
    const first = await get('/live/demo/source/seg0.ts');
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-cache-status'), 'MISS');
    assert.equal((await first.arrayBuffer()).byteLength, segment.length);
    const second = await get('/live/demo/source/seg0.ts');
    assert.equal(second.headers.get('x-cache-status'), 'HIT');
    assert.equal(second.headers.get('content-type'), 'video/mp2t');
    assert.match(second.headers.get('cache-control') ?? '', /immutable/);
    await second.arrayBuffer();
  });

  it('ignores the changing CMCD query in the cache key', async () => {
    await (await get('/live/demo/source/seg1.ts?CMCD=bl%3D1000')).arrayBuffer();
    const again = await get('/live/demo/source/seg1.ts?CMCD=bl%3D2000%2Cmtp%3D5000');
    assert.equal(again.headers.get('x-cache-status'), 'HIT');
    await again.arrayBuffer();
  });

  it('adds CMSD-Static and a CMSD-Dynamic equal to what the Node build computes from the same TCP state', async () => {
    const res = await get('/live/demo/source/seg2.ts');
    await res.arrayBuffer();
    assert.equal(res.headers.get('cmsd-static'), 'ot=v,st=l');
    const tcp = /rtt=(\d+);rttvar=(\d+);cwnd=(\d+)/.exec(res.headers.get('x-tcp-info') ?? '');
    assert.ok(tcp, `X-TCP-Info: ${res.headers.get('x-tcp-info')}`);
    const [rtt, rttvar, cwnd] = tcp.slice(1).map(Number);
    const etp = Math.floor(new CwndMath().throughputKbps(rtt, rttvar, cwnd, 1448, 0));
    assert.equal(res.headers.get('cmsd-dynamic'), `"edge-a";etp=${etp};rtt=${Math.max(1, Math.round(rtt / 1000))}`);
    const playlist = await get('/live/demo/index.m3u8');
    assert.equal(playlist.headers.get('cmsd-static'), 'ot=m,st=l');
    await playlist.text();
  });

  it('50 concurrent requests for one uncached segment reach the origin once', async () => {
    const before = await originRequests(originPort);
    const responses = await Promise.all(Array.from({ length: 50 }, () => get('/live/demo/source/seg30.ts')));
    for (const r of responses) {
      assert.equal(r.status, 200);
      assert.equal((await r.arrayBuffer()).byteLength, segment.length);
    }
    const after = await originRequests(originPort);
    // the counter also counts this status request itself
    assert.equal(after - before - 1, 1, `origin requests for 50 viewers: ${after - before - 1}`);
  });

  it('serves stale copies while the origin is down', async () => {
    await (await get('/live/demo/source/seg40.ts')).arrayBuffer();
    await (await get('/live/demo/index.m3u8')).text();
    await origin.stop();
    // The playlist's max-age=1 runs out (nginx counts validity in whole seconds).
    await new Promise((r) => setTimeout(r, 2200));
    const seg = await get('/live/demo/source/seg40.ts');
    assert.equal(seg.status, 200);
    assert.equal((await seg.arrayBuffer()).byteLength, segment.length);
    const playlist = await get('/live/demo/index.m3u8');
    assert.equal(playlist.status, 200);
    assert.equal(playlist.headers.get('x-cache-status'), 'STALE');
    assert.match(await playlist.text(), /^#EXTM3U/);
  });
});
