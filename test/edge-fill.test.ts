import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { EdgeFills } from '../control-plane/src/edge-fill/edge-fills.js';
import { acceptsGzip, FilledPlaylist } from '../control-plane/src/edge-fill/filled-playlist.js';
import { directivesOf } from '../control-plane/src/low-latency/ll-routes.js';

const PLAYLIST = `#EXTM3U\n#EXT-X-TARGETDURATION:2\n${'#EXT-X-PART:DURATION=0.2,URI="seg1-a.0.m4s"\n'.repeat(40)}`;

describe('edge fills: the control plane has an edge cache what its held viewers will ask for', () => {
  let server: http.Server;
  let base: string;
  const seen: { url: string; token: string | undefined }[] = [];
  before(async () => {
    // A stand-in edge: answers a fill after 50 ms (the time an origin fetch takes), 404 for /missing.
    server = http.createServer((req, res) => {
      seen.push({ url: req.url!, token: req.headers['x-hls-control-token'] as string | undefined });
      setTimeout(() => {
        res.statusCode = req.url!.startsWith('/missing') ? 404 : 200;
        // As the origin marks its answers (the edge passes the header on); /unmarked: an older origin.
        if (req.url!.startsWith('/open')) res.setHeader('X-HLS-Signed', '0');
        if (req.url!.startsWith('/signed')) res.setHeader('X-HLS-Signed', '1');
        res.setHeader('Content-Type', 'application/vnd.apple.mpegurl');
        res.setHeader('Cache-Control', 'public, max-age=12');
        res.setHeader('ETag', '"5f0c-1a"');
        res.setHeader('CMSD-Static', 'ot=m'); // the edge's own, not the playlist's
        res.end(PLAYLIST);
      }, 50);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const edge = () => ({ name: 'edge-a', controlUrl: base, controlToken: 'ctl' });
  const metric = async (registry: Registry, name: string) => (await registry.getSingleMetric(name)!.get()).values.reduce((sum, v) => sum + v.value, 0);

  it('many viewers waiting for one object make one request, with the control token and the fill token', async () => {
    seen.length = 0;
    const registry = new Registry();
    const fills = new EdgeFills(registry);
    await Promise.all(Array.from({ length: 30 }, () => fills.fill(edge(), '/live/k/source/index.m3u8?_HLS_msn=4&_HLS_part=1', 'tok')));
    assert.deepEqual(seen, [{ url: '/live/k/source/index.m3u8?_HLS_msn=4&_HLS_part=1&token=tok', token: 'ctl' }]);
    assert.equal(await metric(registry, 'hls_ll_edge_fills_total'), 1);
    // Just after it, the same object is not fetched again; a different one is.
    await Promise.all([
      fills.fill(edge(), '/live/k/source/seg4-x.1.m4s', 'tok'),
      fills.fill(edge(), '/live/k/source/index.m3u8?_HLS_msn=4&_HLS_part=1', 'tok'),
    ]);
    assert.deepEqual(
      seen.map((s) => s.url),
      ['/live/k/source/index.m3u8?_HLS_msn=4&_HLS_part=1&token=tok', '/live/k/source/seg4-x.1.m4s?token=tok'],
    );
    // Once the edge's copy may have expired, it is fetched again.
    await new Promise((resolve) => setTimeout(resolve, 600));
    await fills.fill(edge(), '/live/k/source/index.m3u8?_HLS_msn=4&_HLS_part=1', 'tok');
    assert.equal(seen.length, 3);
  });

  it('a failed fill is counted and does not fail the viewers (they then fill the edge themselves)', async () => {
    const registry = new Registry();
    const fills = new EdgeFills(registry);
    await fills.fill(edge(), '/missing/index.m3u8', 'tok');
    await fills.fill({ name: 'gone', controlUrl: 'http://127.0.0.1:9', controlToken: 'x' }, '/live/k/source/index.m3u8', 'tok');
    await fills.fill({ name: 'odd', controlUrl: 'ftp://127.0.0.1', controlToken: 'x' }, '/live/k/source/index.m3u8', 'tok');
    assert.equal(await metric(registry, 'hls_ll_edge_fill_failures_total'), 3);
    // A failure is not remembered: the next viewer tries again.
    await fills.fill(edge(), '/missing/index.m3u8', 'tok');
    assert.equal(await metric(registry, 'hls_ll_edge_fill_failures_total'), 4);
  });

  it("a playlist fill keeps the edge's copy for its held viewers: one for all, gzip-encoded once, as each viewer asks", async () => {
    seen.length = 0;
    const fills = new EdgeFills(new Registry());
    const copies = await Promise.all(Array.from({ length: 10 }, () => fills.fillPlaylist(edge(), '/open/index.m3u8?_HLS_msn=1', 'tok')));
    assert.equal(seen.length, 1);
    assert.equal(new Set(copies).size, 1, 'the same copy for every viewer');
    const copy = copies[0]!;
    assert.ok(copy instanceof FilledPlaylist);
    // Written to viewers by a real HTTP server, read by a real client.
    const viewers = http.createServer((req, res) => void copy.answer(res, req.headers['accept-encoding']));
    await new Promise<void>((resolve) => viewers.listen(0, '127.0.0.1', resolve));
    try {
      const port = (viewers.address() as AddressInfo).port;
      const ask = (acceptEncoding: string) => fetch(`http://127.0.0.1:${port}/`, { headers: { 'Accept-Encoding': acceptEncoding } });
      const gzipped = await ask('gzip, deflate, br');
      assert.equal(gzipped.headers.get('content-encoding'), 'gzip');
      assert.ok(Number(gzipped.headers.get('content-length')) < PLAYLIST.length / 4, 'compressed');
      assert.equal(await gzipped.text(), PLAYLIST);
      assert.equal(gzipped.headers.get('etag'), 'W/"5f0c-1a"', 'other bytes than the copy: a weak tag');
      const plain = await ask('identity');
      assert.equal(plain.headers.get('content-encoding'), null);
      assert.equal(plain.headers.get('content-length'), String(PLAYLIST.length));
      assert.equal(await plain.text(), PLAYLIST);
      assert.equal(plain.headers.get('etag'), '"5f0c-1a"');
      for (const answer of [gzipped, plain]) {
        assert.equal(answer.headers.get('cache-control'), 'public, max-age=12');
        assert.equal(answer.headers.get('content-type'), 'application/vnd.apple.mpegurl');
        assert.equal(answer.headers.get('vary'), 'Accept-Encoding');
        assert.equal(answer.headers.get('x-hls-held-answer'), 'FILLED');
        assert.equal(answer.headers.get('cmsd-static'), null, "the edge's own headers are not copied");
      }
    } finally {
      await new Promise<void>((resolve) => viewers.close(() => resolve()));
    }
  });

  it("a signed stream's copy (it carries the fill's token), an unmarked one and a failed fill are not kept for viewers", async () => {
    const fills = new EdgeFills(new Registry());
    assert.equal(await fills.fillPlaylist(edge(), '/signed/index.m3u8', 'tok'), null);
    assert.equal(await fills.fillPlaylist(edge(), '/unmarked/index.m3u8', 'tok'), null);
    assert.equal(await fills.fillPlaylist(edge(), '/missing/index.m3u8', 'tok'), null);
  });

  it('reads Accept-Encoding as RFC 9110 does: gzip named or "*", not with q=0', () => {
    for (const yes of ['gzip', 'gzip, deflate, br, zstd', 'br;q=1.0, gzip;q=0.5', '*', 'deflate, *;q=0.1', 'GZIP', 'x-gzip'])
      assert.equal(acceptsGzip(yes), true, yes);
    for (const no of [undefined, '', 'identity', 'br, deflate', 'gzip;q=0', 'gzip; q=0.000', '*;q=0', 'gzip;q=0, *'])
      assert.equal(acceptsGzip(no), false, String(no));
  });

  it('keeps the directives exactly as sent (they are the edge cache key) and nothing else', () => {
    assert.equal(directivesOf('/live/k/v/index.m3u8?token=abc&_HLS_part=02&CMCD=x&_HLS_msn=7&_HLS_skip=YES'), '?_HLS_part=02&_HLS_msn=7&_HLS_skip=YES');
    assert.equal(directivesOf('/live/k/v/index.m3u8?token=abc'), '');
    assert.equal(directivesOf('/live/k/v/index.m3u8'), '');
    assert.equal(directivesOf('/live/k/v/index.m3u8?_HLS_msnx=1'), '');
  });
});
