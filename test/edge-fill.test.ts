import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { EdgeFills } from '../control-plane/src/edge-fill/edge-fills.js';
import { directivesOf } from '../control-plane/src/low-latency/ll-routes.js';

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
        res.end('#EXTM3U\n');
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
    assert.equal(await metric(registry, 'hls_ll_edge_fill_failures_total'), 2);
    // A failure is not remembered: the next viewer tries again.
    await fills.fill(edge(), '/missing/index.m3u8', 'tok');
    assert.equal(await metric(registry, 'hls_ll_edge_fill_failures_total'), 3);
  });

  it('keeps the directives exactly as sent (they are the edge cache key) and nothing else', () => {
    assert.equal(directivesOf('/live/k/v/index.m3u8?token=abc&_HLS_part=02&CMCD=x&_HLS_msn=7&_HLS_skip=YES'), '?_HLS_part=02&_HLS_msn=7&_HLS_skip=YES');
    assert.equal(directivesOf('/live/k/v/index.m3u8?token=abc'), '');
    assert.equal(directivesOf('/live/k/v/index.m3u8'), '');
    assert.equal(directivesOf('/live/k/v/index.m3u8?_HLS_msnx=1'), '');
  });
});
