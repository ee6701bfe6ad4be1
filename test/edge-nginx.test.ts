import { ASSUMED_MSS } from '../wasm-core/shared-limits.js';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freeLoopbackPort } from '../control-plane/src/database/embedded-postgres.js';
import { renderTemplateFile } from '../control-plane/src/nginx/nginx-config.js';
import { njsModuleDirective } from '../control-plane/src/nginx/nginx-instance.js';
import { NginxProcess } from '../control-plane/src/nginx/nginx-process.js';
import { CwndMath } from '../wasm-core/host/cwnd.js';
import { renderEdgeConfig } from '../control-plane/src/edge/edge-config.js';
import { renderOriginConfig } from '../control-plane/src/edge/origin-config.js';
import { installNjsModules } from '../control-plane/src/edge/njs-modules.js';
import { issueToken, newSigningKey } from '../control-plane/src/edge/signing/playback-token.js';
import { parseAccessLogLine } from '../control-plane/src/edge/viewers/viewer-stats.js';
import { EdgeLogPuller } from '../control-plane/src/edge/viewers/edge-log-puller.js';

/** demo's ABR ladder, kbit/s: CMSD-Dynamic suggests the highest rung under 0.8 x etp. */
const LADDER = [800, 2500, 6_000_000];
const quiet = { log: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) };

/** Renders main.conf.template around a server config into `prefix` and starts nginx there. */
async function runNginx(prefix: string, serverConfig: string): Promise<NginxProcess> {
  for (const dir of ['tmp/body', 'tmp/proxy', 'tmp/fastcgi', 'tmp/uwsgi', 'tmp/scgi']) await mkdir(path.join(prefix, dir), { recursive: true });
  const serverConf = path.join(prefix, 'server.conf');
  await writeFile(serverConf, serverConfig);
  const mainConf = path.join(prefix, 'nginx.conf');
  const main = await renderTemplateFile('main.conf.template', {
    MODULES: njsModuleDirective(),
    USER_DIRECTIVE: process.getuid?.() === 0 ? 'user root root;' : '',
    PREFIX: prefix,
    SERVER_CONF: serverConf,
  });
  await writeFile(mainConf, main);
  const nginx = new NginxProcess('nginx', prefix, mainConf, quiet, path.join(prefix, 'nginx.pid'));
  await nginx.start();
  return nginx;
}

/** An nginx's request counter from stub_status ("server accepts handled requests"); it counts this request too. */
async function requestsServed(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/nginx_status`)).text();
  return Number(text.split('\n')[2].trim().split(/\s+/)[2]);
}

describe('origins and two edges with rendered configs and njs (real nginx)', () => {
  let dir: string;
  const origins: NginxProcess[] = [];
  const originPorts: number[] = [];
  const edges: NginxProcess[] = [];
  const edgePorts: number[] = [];
  const segment = Buffer.alloc(1024 * 1024, 0x47);
  const oldKey = newSigningKey();
  const currentKey = newSigningKey();
  const controlToken = 'purge-secret-for-tests';
  const media = () => path.join(dir, 'media');
  /** A playlist big enough to be worth compressing (gzip_min_length 256). */
  const longPlaylist = [
    '#EXTM3U',
    '#EXT-X-TARGETDURATION:2',
    ...Array.from({ length: 60 }, (_, i) => `#EXT-X-PROGRAM-DATE-TIME:2026-12-02T10:00:${String(i).padStart(2, '0')}.000Z\n#EXTINF:2.000,\nseg${i}.ts`),
    '',
  ].join('\n');

  /** Renders an edge exactly as the control plane does, for the given signing keys. */
  const edgeConfig = (name: string, port: number, keys = [currentKey, oldKey]) =>
    renderEdgeConfig({
      name,
      port,
      cacheDir: path.join(dir, name, 'cache'),
      cacheMaxSize: '256m',
      njsDir: path.join(dir, 'njs'),
      accessLog: path.join(dir, name, 'access.log'),
      origins: originPorts.map((p) => ({ host: '127.0.0.1', port: p })),
      signedStreams: ['paid'],
      ladders: [{ key: 'demo', kbps: LADDER }],
      signingKeys: keys,
      controlToken,
      controlPlaneAddress: '127.0.0.1:9',
    });

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hls-edge-'));
    for (const stream of ['demo', 'paid', 'other']) {
      await mkdir(path.join(media(), 'live', stream, 'source'), { recursive: true });
      await writeFile(path.join(media(), 'live', stream, 'index.m3u8'), '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000000\nsource/index.m3u8\n');
      await writeFile(path.join(media(), 'live', stream, 'source', 'index.m3u8'), '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nseg0.ts\n');
      for (let i = 0; i < 60; i++) await writeFile(path.join(media(), 'live', stream, 'source', `seg${i}.ts`), segment);
      await writeFile(path.join(media(), 'live', stream, 'source', 'long.m3u8'), longPlaylist);
    }
    const njsDir = path.join(dir, 'njs');
    await mkdir(njsDir, { recursive: true });
    await installNjsModules(njsDir);
    for (let i = 0; i < 2; i++) originPorts.push(await freeLoopbackPort());
    for (let i = 0; i < 2; i++) edgePorts.push(await freeLoopbackPort());
    for (let i = 0; i < 2; i++) {
      // These origins leave token checks to the edges; origins that check them are tested in the fault suite.
      const conf = await renderOriginConfig({
        controlPlaneAddress: '127.0.0.1:9', // no control plane: these origins serve TS only
        listen: String(originPorts[i]),
        mediaRoot: media(),
        njsDir,
        signedStreams: [],
        signingKeys: [currentKey],
        trustedEdgeTokens: [controlToken],
      });
      origins.push(await runNginx(path.join(dir, `origin-${i}`), conf));
    }
    for (const [i, name] of ['edge-a', 'edge-b'].entries()) edges.push(await runNginx(path.join(dir, name), await edgeConfig(name, edgePorts[i])));
  });
  after(async () => {
    for (const n of [...edges, ...origins]) await n.stop();
    await rm(dir, { recursive: true, force: true });
  });

  // A reload (SIGHUP) makes the old workers close idle keep-alive connections; a GET that raced
  // one is repeated once, as HTTP clients do for idempotent requests.
  const get = (route: string, edge = 0, init?: RequestInit) =>
    fetch(`http://127.0.0.1:${edgePorts[edge]}${route}`, init).catch(() => fetch(`http://127.0.0.1:${edgePorts[edge]}${route}`, init));
  const originTotal = async () => (await requestsServed(originPorts[0])) + (await requestsServed(originPorts[1]));
  const token = (stream: string, expiresIn = 300, key = currentKey) =>
    issueToken(key, { streamKey: stream, expiresAt: Math.floor(Date.now() / 1000) + expiresIn, clientIp: null });

  it('caches segments: MISS, then HIT, with the origin headers passed on and CORS not doubled', async () => {
    const first = await get('/live/demo/source/seg0.ts');
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-cache-status'), 'MISS');
    assert.equal((await first.arrayBuffer()).byteLength, segment.length);
    const second = await get('/live/demo/source/seg0.ts');
    assert.equal(second.headers.get('x-cache-status'), 'HIT');
    assert.equal(second.headers.get('content-type'), 'video/mp2t');
    assert.match(second.headers.get('cache-control') ?? '', /immutable/);
    assert.equal(second.headers.get('access-control-allow-origin'), '*');
    await second.arrayBuffer();
  });

  it('playlists are gzip-encoded for clients that accept it, by origins and edges; the edge caches one plain copy for all', async () => {
    const asked = (encoding: string) => ({ headers: { 'Accept-Encoding': encoding } });
    const gzipped = await get('/live/demo/source/long.m3u8', 0, asked('gzip'));
    assert.equal(gzipped.status, 200);
    assert.equal(gzipped.headers.get('content-encoding'), 'gzip');
    assert.match(gzipped.headers.get('vary') ?? '', /Accept-Encoding/);
    assert.equal(await gzipped.text(), longPlaylist, 'fetch decodes it back to the file');
    const plain = await get('/live/demo/source/long.m3u8', 0, asked('identity'));
    assert.equal(plain.headers.get('content-encoding'), null, 'a client that does not accept gzip gets plain text from the same cache entry');
    assert.equal(await plain.text(), longPlaylist);
    const fromOrigin = await fetch(`http://127.0.0.1:${originPorts[0]}/live/demo/source/long.m3u8`, asked('gzip'));
    assert.equal(fromOrigin.headers.get('content-encoding'), 'gzip');
    await fromOrigin.text();
    const segmentRes = await get('/live/demo/source/seg1.ts', 0, asked('gzip'));
    assert.equal(segmentRes.headers.get('content-encoding'), null, 'segments are never compressed');
    await segmentRes.arrayBuffer();
    // A signed playlist: njs writes the token into every URI before gzip compresses.
    const t = token('paid');
    const signed = await get(`/live/paid/source/long.m3u8?token=${t}`, 0, asked('gzip'));
    assert.equal(signed.headers.get('content-encoding'), 'gzip');
    const text = await signed.text();
    assert.equal(text.split('\n').filter((l) => l.startsWith('seg') && l.endsWith(`?token=${t}`)).length, 60);
  });

  it('each edge has its own cache', async () => {
    await (await get('/live/demo/source/seg3.ts', 0)).arrayBuffer();
    const other = await get('/live/demo/source/seg3.ts', 1);
    assert.equal(other.headers.get('x-cache-status'), 'MISS');
    await other.arrayBuffer();
  });

  it('ignores the changing CMCD query in the cache key, and logs it as JSON', async () => {
    await (await get('/live/demo/source/seg1.ts?CMCD=bl%3D1000')).arrayBuffer();
    const again = await get('/live/demo/source/seg1.ts?CMCD=bl%3D2000%2Cbr%3D3200%2Cmtp%3D5000%2Csid%3D%22viewer-1%22');
    assert.equal(again.headers.get('x-cache-status'), 'HIT');
    await again.arrayBuffer();
    // The log is written in 64 KiB buffers flushed every second.
    let logged: any;
    for (let waited = 0; !logged && waited < 5000; waited += 200) {
      await new Promise((r) => setTimeout(r, 200));
      const text = await readFile(path.join(dir, 'edge-a', 'access.log'), 'utf8').catch(() => '');
      // Read with the control plane's own parser: the log format is a contract between the two.
      logged = text
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => parseAccessLogLine(l))
        .find((l) => l?.cmcd?.sid === 'viewer-1');
    }
    assert.ok(logged, 'the CMCD request is in the access log');
    assert.deepEqual(logged.cmcd, { bl: 2000, br: 3200, mtp: 5000, sid: 'viewer-1' });
    assert.equal(logged.stream, 'demo');
    assert.equal(logged.path, '/live/demo/source/seg1.ts');
    assert.equal(logged.cache, 'HIT');
    assert.equal(logged.bytes, segment.length);
  });

  it("the control plane pulls the access log in whole lines from an offset, with the node's token", async () => {
    const puller = new EdgeLogPuller();
    const node = { id: 'a', name: 'edge-a', baseUrl: `http://127.0.0.1:${edgePorts[0]}`, internalUrl: null, controlToken };
    await new Promise((r) => setTimeout(r, 1200)); // earlier requests flushed to the log
    assert.deepEqual(await puller.pull(node), { lines: [], error: null }, 'the first pull starts at the end of the log');
    await (await get('/live/demo/source/seg4.ts?CMCD=sid%3D%22puller%22')).arrayBuffer();
    let seen: string[] = [];
    for (let waited = 0; !seen.some((l) => l.includes('puller')) && waited < 5000; waited += 250) {
      await new Promise((r) => setTimeout(r, 250));
      const { lines, error } = await puller.pull(node);
      assert.equal(error, null);
      seen = seen.concat(lines);
    }
    const entry = seen.map((l) => parseAccessLogLine(l)).find((e) => e?.cmcd.sid === 'puller');
    assert.ok(entry, 'the request made it through the pull');
    assert.equal(entry.path, '/live/demo/source/seg4.ts');
    assert.equal((await puller.pull(node)).lines.filter((l) => l.includes('puller')).length, 0, 'each line once');
    const refused = await puller.pull({ ...node, id: 'b', controlToken: 'wrong' });
    assert.equal(refused.error, 'HTTP 403');
  });

  it('adds CMSD-Static and a CMSD-Dynamic equal to what the Node build computes from the same TCP state', async () => {
    const res = await get('/live/demo/source/seg2.ts');
    await res.arrayBuffer();
    assert.equal(res.headers.get('cmsd-static'), 'ot=v,st=l');
    const tcp = /rtt=(\d+);rttvar=(\d+);cwnd=(\d+)/.exec(res.headers.get('x-tcp-info') ?? '');
    assert.ok(tcp, `X-TCP-Info: ${res.headers.get('x-tcp-info')}`);
    const [rtt, rttvar, cwnd] = tcp.slice(1).map(Number);
    const math = new CwndMath();
    const etpExact = math.throughputKbps(rtt, rttvar, cwnd, ASSUMED_MSS, 0);
    const mb = LADDER[math.selectRendition(LADDER, etpExact, 0.8)];
    assert.equal(res.headers.get('cmsd-dynamic'), `"edge-a";etp=${Math.floor(etpExact)};rtt=${Math.max(1, Math.round(rtt / 1000))};mb=${mb}`);
    const noLadder = await get('/live/other/source/seg2.ts');
    await noLadder.arrayBuffer();
    assert.match(noLadder.headers.get('cmsd-dynamic') ?? '', /^"edge-a";etp=\d+;rtt=\d+$/, 'no ladder, no mb');
    const playlist = await get('/live/demo/index.m3u8');
    assert.equal(playlist.headers.get('cmsd-static'), 'ot=m,st=l');
    await playlist.text();
  });

  it('playlists refresh within their validity (max-age=1)', async () => {
    const file = path.join(media(), 'live', 'demo', 'source', 'index.m3u8');
    assert.match(await (await get('/live/demo/source/index.m3u8')).text(), /seg0\.ts/);
    await writeFile(file, '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nseg1.ts\n');
    const deadline = Date.now() + 10_000;
    let text = '';
    while (Date.now() < deadline && !/seg1\.ts/.test(text)) {
      await new Promise((r) => setTimeout(r, 250));
      text = await (await get('/live/demo/source/index.m3u8')).text();
    }
    assert.match(text, /seg1\.ts/, 'the new playlist arrives once the cached copy expires');
  });

  it('50 concurrent requests for one uncached segment reach the origins once', async () => {
    const before = await originTotal();
    const responses = await Promise.all(Array.from({ length: 50 }, () => get('/live/demo/source/seg30.ts')));
    for (const r of responses) {
      assert.equal(r.status, 200);
      assert.equal((await r.arrayBuffer()).byteLength, segment.length);
    }
    // Less the two status requests of the first count (one per origin).
    assert.equal((await originTotal()) - before - 2, 1);
  });

  describe('signed URLs', () => {
    it('refuse a signed stream without a token, with 403, and log the refusal with its reason', async () => {
      const res = await get('/live/paid/index.m3u8?refused=1');
      assert.equal(res.status, 403);
      await res.text();
      const segment = await get('/live/paid/source/seg2.ts');
      assert.equal(segment.status, 403);
      await segment.text();
      assert.equal((await get('/live/demo/index.m3u8')).status, 200, 'unsigned streams stay open');
      let refused: any[] = [];
      for (let waited = 0; refused.length < 2 && waited < 5000; waited += 200) {
        await new Promise((r) => setTimeout(r, 200));
        const text = await readFile(path.join(dir, 'edge-a', 'access.log'), 'utf8').catch(() => '');
        refused = text
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => parseAccessLogLine(l))
          .filter((l) => l?.status === 403 && l.stream === 'paid');
      }
      assert.deepEqual(refused.map((l) => [l.path, l.denied]).sort(), [
        ['/live/paid/index.m3u8', 'missing'],
        ['/live/paid/source/seg2.ts', 'missing'],
      ]);
    });

    it('a valid token plays, and every URI in the playlists carries it', async () => {
      const t = token('paid');
      const master = await get(`/live/paid/index.m3u8?token=${t}`);
      assert.equal(master.status, 200);
      assert.match(await master.text(), new RegExp(`^source/index\\.m3u8\\?token=${t.replace(/\./g, '\\.')}$`, 'm'));
      const media = await get(`/live/paid/source/index.m3u8?token=${t}`);
      assert.match(await media.text(), new RegExp(`^seg0\\.ts\\?token=${t.replace(/\./g, '\\.')}$`, 'm'));
      const seg = await get(`/live/paid/source/seg0.ts?token=${t}`);
      assert.equal(seg.status, 200);
      assert.equal((await seg.arrayBuffer()).byteLength, segment.length);
    });

    it('expired, tampered, wrong-stream and unknown-key tokens get 403', async () => {
      const valid = token('paid');
      const bad = [token('paid', -1), valid.replace(/\.(\d+)\./, (_, e) => `.${Number(e) + 1000}.`), token('other'), token('paid', 300, newSigningKey())];
      for (const t of bad) {
        const res = await get(`/live/paid/source/seg1.ts?token=${t}`);
        assert.equal(res.status, 403, t);
        await res.arrayBuffer();
      }
    });

    it('a refused request is not cached: the first valid one is a MISS', async () => {
      const refused = await get('/live/paid/source/seg5.ts?token=garbage');
      assert.equal(refused.status, 403);
      await refused.arrayBuffer();
      const first = await get(`/live/paid/source/seg5.ts?token=${token('paid')}`);
      assert.equal(first.headers.get('x-cache-status'), 'MISS');
      await first.arrayBuffer();
    });

    it('key rotation: tokens of the previous key stay valid; once it is retired they are refused', async () => {
      const fromOldKey = token('paid', 300, oldKey);
      assert.equal((await get(`/live/paid/source/index.m3u8?token=${fromOldKey}`)).status, 200);
      const third = newSigningKey();
      await writeFile(path.join(dir, 'edge-b', 'server.conf'), await edgeConfig('edge-b', edgePorts[1], [third, currentKey]));
      await edges[1].reload();
      const deadline = Date.now() + 10_000;
      let status = 0;
      while (Date.now() < deadline && status !== 403) {
        status = (await get(`/live/paid/source/index.m3u8?token=${fromOldKey}`, 1)).status;
        if (status !== 403) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(status, 403, 'the retired key no longer verifies');
      assert.equal((await get(`/live/paid/source/index.m3u8?token=${token('paid', 300, currentKey)}`, 1)).status, 200);
      assert.equal((await get(`/live/paid/source/index.m3u8?token=${token('paid', 300, third)}`, 1)).status, 200);
    });
  });

  it("purge removes one stream's cached objects and needs the node's token", async () => {
    await (await get('/live/other/source/seg7.ts')).arrayBuffer();
    await (await get('/live/demo/source/seg7.ts')).arrayBuffer();
    assert.equal((await get('/live/other/source/seg7.ts')).headers.get('x-cache-status'), 'HIT');
    assert.equal((await get('/_hls/purge?stream=other', 0, { method: 'POST', headers: { 'X-HLS-Control-Token': 'wrong' } })).status, 403);
    const purged = await get('/_hls/purge?stream=other', 0, { method: 'POST', headers: { 'X-HLS-Control-Token': controlToken } });
    assert.equal(purged.status, 200);
    assert.ok((await purged.json()).removed >= 1);
    // Open cache files are kept for a second (open_file_cache_valid): the purge shows within it.
    let after = await get('/live/other/source/seg7.ts');
    for (let waited = 0; after.headers.get('x-cache-status') !== 'MISS' && waited < 5000; waited += 250) {
      await after.arrayBuffer();
      await new Promise((r) => setTimeout(r, 250));
      after = await get('/live/other/source/seg7.ts');
    }
    assert.equal(after.headers.get('x-cache-status'), 'MISS');
    assert.equal((await after.arrayBuffer()).byteLength, segment.length);
    const untouched = await get('/live/demo/source/seg7.ts');
    assert.equal(untouched.headers.get('x-cache-status'), 'HIT', 'other streams stay cached');
    await untouched.arrayBuffer();
  });

  it('fails over to the other origin when one stops', async () => {
    await origins[0].stop();
    for (const stream of ['demo', 'paid', 'other']) {
      const t = token(stream);
      const res = await get(`/live/${stream}/source/seg50.ts?token=${t}`);
      assert.equal(res.status, 200, stream);
      assert.equal((await res.arrayBuffer()).byteLength, segment.length);
    }
  });

  it('serves stale copies while every origin is down', async () => {
    await (await get('/live/demo/source/seg40.ts')).arrayBuffer();
    await (await get('/live/demo/index.m3u8')).text();
    // Every origin down (the fail-over test may have stopped one already: stopping is idempotent).
    await Promise.all(origins.map((origin) => origin.stop()));
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
