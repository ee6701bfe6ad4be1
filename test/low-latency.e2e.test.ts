import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { seekBackAndReturn } from './support/dvr-seek.js';
import { startEncoder } from './support/encoder.js';
import { freeUdpPortBlock } from './support/ports.js';
import { eventually, startSystem, SystemUnderTest } from './support/system.js';

/** The newest part a playlist lists: its segment's media sequence number and its index. */
function lastPart(text: string): { msn: number; part: number } {
  const parts = [...text.matchAll(/^#EXT-X-PART:[^\n]*URI="seg(\d+)-[a-z0-9]+\.(\d+)\.m4s(?:\?[^"]*)?"/gm)];
  assert.ok(parts.length > 0, text);
  const last = parts[parts.length - 1];
  return { msn: Number(last[1]), part: Number(last[2]) };
}

/** The sum of a Prometheus metric's samples, over all labels. */
function metricValue(text: string, name: string): number {
  return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
}

describe('LL-HLS through the origin and an edge: blocking reload, delta updates, preload hints, hls.js', () => {
  let system: SystemUnderTest;
  let browser: Browser;
  let encoder: ReturnType<typeof startEncoder>;
  const playlistUrl = () => `http://127.0.0.1:${system.httpPort}/live/ll/source/index.m3u8`;
  const get = (query = '') => fetch(`${playlistUrl()}${query}`);

  before(async () => {
    system = await startSystem({ edge: true });
    browser = await launchChromium();
    const port = await freeUdpPortBlock();
    // Defaults for low latency: 2 s segments, 0.2 s parts; a window longer than the skip boundary
    // (12 s), and a DVR window of 90 s to seek back into.
    const created = await system.api('POST', '/api/v1/streams', {
      key: 'll',
      ingest: { protocol: 'rtp', port },
      packaging: { lowLatency: true, windowSegments: 10, dvrSeconds: 90 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.equal(created.json.packaging.partSeconds, 0.2);
    encoder = startEncoder({ protocol: 'rtp', port, seconds: 300 });
    await eventually(async () => ((await system.api('GET', '/api/v1/streams/ll/status')).json.segmentsWritten >= 2 ? true : undefined), 30_000, 'LL segments');
  });
  after(async () => {
    encoder?.child.kill('SIGKILL');
    await browser?.close();
    await system?.dispose();
  });

  it('the playlist is LL-HLS: fMP4 with EXT-X-MAP, parts, server control and a preload hint', async () => {
    const res = await get();
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /^#EXT-X-VERSION:6$/m);
    assert.match(text, /^#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=12\.00000,HOLD-BACK=6\.00000,PART-HOLD-BACK=0\.60000$/m);
    assert.match(text, /^#EXT-X-PART-INF:PART-TARGET=0\.20000$/m);
    assert.match(text, /^#EXT-X-MAP:URI="init\d+-[a-z0-9]+\.mp4"$/m);
    assert.match(text, /^#EXT-X-PRELOAD-HINT:TYPE=PART,URI="seg\d+-[a-z0-9]+\.\d+\.m4s"$/m);
    const master = await (await fetch(`http://127.0.0.1:${system.httpPort}/live/ll/index.m3u8`)).text();
    assert.match(master, /CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"/);
  });

  it('a request for the next part is held until that part is listed, then answered whole, cacheable for 6 target durations', async () => {
    const before = lastPart(await (await get()).text());
    const next = { msn: before.msn, part: before.part + 1 };
    const res = await get(`?_HLS_msn=${next.msn}&_HLS_part=${next.part}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=12');
    const text = await res.text();
    const after = lastPart(text);
    // The part asked for, or (past the last part of its segment) the next segment's first.
    assert.ok(after.msn > next.msn || (after.msn === next.msn && after.part >= next.part), `${JSON.stringify(after)} after asking ${JSON.stringify(next)}`);
    assert.match(text, /^#EXTM3U/);
  });

  it('a request for a segment far ahead or a part without a segment is refused with 400 and the reason', async () => {
    const { msn } = lastPart(await (await get()).text());
    const far = await get(`?_HLS_msn=${msn + 10}`);
    assert.equal(far.status, 400);
    assert.match(await far.text(), /more than two segments past/);
    const partOnly = await get('?_HLS_part=1');
    assert.equal(partOnly.status, 400);
    assert.match(await partOnly.text(), /_HLS_part: needs _HLS_msn/);
    const malformed = await get('?_HLS_msn=abc');
    assert.equal(malformed.status, 400);
  });

  it('_HLS_skip=YES gets the delta update: EXT-X-SKIP in place of the segments past the skip boundary', async () => {
    // The window (10 x 2 s) must have grown past the boundary (12 s) first.
    const delta = await eventually(
      async () => {
        const text = await (await get('?_HLS_skip=YES')).text();
        return /^#EXT-X-SKIP:SKIPPED-SEGMENTS=[1-9]\d*$/m.test(text) ? text : undefined;
      },
      40_000,
      'a delta update with skipped segments',
    );
    assert.match(delta, /^#EXT-X-VERSION:9$/m);
    const full = await (await get()).text();
    const fullSequence = /^#EXT-X-MEDIA-SEQUENCE:(\d+)$/m.exec(full)![1];
    assert.equal(/^#EXT-X-MEDIA-SEQUENCE:(\d+)$/m.exec(delta)![1], fullSequence, 'the same numbering');
    assert.ok(delta.length < full.length);
  });

  it('the part a preload hint names is served the moment it is written; a part no hint names is 404', async () => {
    const text = await (await get()).text();
    const hinted = /^#EXT-X-PRELOAD-HINT:TYPE=PART,URI="(seg\d+-[a-z0-9]+\.\d+\.m4s)"$/m.exec(text)![1];
    const res = await fetch(`http://127.0.0.1:${system.httpPort}/live/ll/source/${hinted}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'video/iso.segment');
    assert.ok((await res.arrayBuffer()).byteLength > 0);
    const { msn } = lastPart(text);
    assert.equal((await fetch(`http://127.0.0.1:${system.httpPort}/live/ll/source/seg${msn + 5}-abc.3.m4s`)).status, 404);
  });

  it('a part not written yet is 404 without being cacheable, so no cache keeps the miss', async () => {
    const { msn } = lastPart(await (await get()).text());
    const res = await fetch(`http://127.0.0.1:${system.httpPort}/live/ll/source/seg${msn + 5}-abc.0.m4s`);
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
  });

  it('through the edge: identical blocking requests wait in the control plane and are answered from the one copy it had the edge cache', async () => {
    const edge = (query: string, headers: Record<string, string> = {}) =>
      fetch(`http://127.0.0.1:${system.edgePort}/live/ll/source/index.m3u8${query}`, { headers });
    const fills = async () => metricValue(await (await fetch(`http://127.0.0.1:${system.apiPort}/metrics`)).text(), 'hls_ll_edge_fills_total');
    const failures = async () => metricValue(await (await fetch(`http://127.0.0.1:${system.apiPort}/metrics`)).text(), 'hls_ll_edge_fill_failures_total');
    const fillsBefore = await fills();
    const { msn, part } = lastPart(await (await edge('')).text());
    const query = `?_HLS_msn=${msn}&_HLS_part=${part + 2}`;
    // Viewers as browsers and other clients send them: the copy the control plane had cached serves
    // every Accept-Encoding (the edge compresses per client), so none misses it.
    const encodings = ['gzip, deflate, br, zstd', 'identity', 'gzip'];
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => edge(`${query}&CMCD=sid%3D%22v${i}%22`, { 'Accept-Encoding': encodings[i % encodings.length] })),
    );
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
    // Every viewer is answered by the control plane with the copy it had the edge cache: none waited
    // on nginx's cache lock, none went to the origin; encoded as each asked, once for all.
    assert.deepEqual(new Set(answers.map((a) => a.headers.get('x-cache-status'))), new Set(['FILLED']));
    assert.deepEqual(
      answers.map((a) => a.headers.get('content-encoding')),
      answers.map((_, i) => (encodings[i % encodings.length] === 'identity' ? null : 'gzip')),
    );
    for (const a of answers) {
      assert.equal(a.headers.get('vary'), 'Accept-Encoding');
      assert.equal(a.headers.get('content-type'), 'application/vnd.apple.mpegurl');
      assert.equal(a.headers.get('x-hls-held-answer'), null, 'the edge keeps its internal header to itself');
      assert.ok(a.headers.get('cmsd-static'), 'CMSD as on every edge answer');
    }
    const texts = await Promise.all(answers.map((a) => a.text()));
    assert.equal(new Set(texts).size, 1, 'one copy for every viewer');
    for (const text of texts) {
      const at = lastPart(text);
      assert.ok(at.msn > msn || at.part >= part + 2, `answered at ${JSON.stringify(at)}`);
    }
    assert.ok((await fills()) > fillsBefore, 'the control plane filled the edge');
    assert.equal(await failures(), 0);
    // The part whose arrival woke them was cached with the playlist: the viewers' next request is a HIT too.
    const uris = [...texts[0].matchAll(/^#EXT-X-PART:[^\n]*URI="([^"]+)"/gm)].map((m) => m[1]);
    const awaited =
      uris.find((u) => new RegExp(`^seg${msn}-[a-z0-9]+\\.${part + 2}\\.m4s$`).test(u)) ??
      uris.find((u) => new RegExp(`^seg${msn + 1}-[a-z0-9]+\\.0\\.m4s$`).test(u));
    assert.ok(awaited, texts[0]);
    assert.equal((await fetch(`http://127.0.0.1:${system.edgePort}/live/ll/source/${awaited}`)).headers.get('x-cache-status'), 'HIT');
    // Later viewers asking the same get the cached answer at once, without asking the control plane.
    const late = await edge(query, { 'Accept-Encoding': 'gzip' });
    assert.equal(late.headers.get('x-cache-status'), 'HIT');
    assert.equal(late.headers.get('content-encoding'), 'gzip', 'the cached copy compressed for the client, as every playlist');
    assert.equal(late.headers.get('vary'), 'Accept-Encoding');
    assert.equal(late.headers.get('cache-control'), 'public, max-age=12');
    assert.equal(answers[0].headers.get('cache-control'), 'public, max-age=12', 'the held answers say what the cached copy says');
    assert.equal(await late.text(), texts[0], 'the held viewers got the bytes the edge cached');
    // Refusals come through the edge as the control plane gave them, and are not cached.
    for (let i = 0; i < 2; i++) {
      const far = await edge(`?_HLS_msn=${msn + 5}`);
      assert.equal(far.status, 400);
      assert.match(far.headers.get('x-cache-status') ?? '', /MISS|BYPASS|^$/);
    }
    // Only an edge may wait there: the control plane refuses anyone else.
    const stranger = await fetch(`http://127.0.0.1:${system.apiPort}/internal/ll-edge/live/ll/source/index.m3u8${query}`, {
      headers: { 'X-HLS-Edge-Token': 'guess' },
    });
    assert.equal(stranger.status, 403);
  });

  it('hls.js in Chromium plays it through the edge in low-latency mode, loading parts with blocking reloads', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${system.apiPort}/player?src=${encodeURIComponent(`http://127.0.0.1:${system.edgePort}/live/ll/index.m3u8`)}`);
    await page.waitForFunction(() => document.getElementById('state')?.textContent === 'playing', undefined, { timeout: 30_000 });
    const startTime = await page.evaluate(() => (document.getElementById('video') as HTMLVideoElement).currentTime);
    await new Promise((r) => setTimeout(r, 10_000));
    const report = await page.evaluate(() => {
      const hls = (
        window as unknown as {
          hls: {
            latency: number;
            config: { liveSyncOnStallIncrease: number };
            levels: { details?: { partList: unknown[] | null; canBlockReload: boolean; partTarget: number } }[];
          };
        }
      ).hls;
      const details = hls.levels[0].details!;
      return {
        currentTime: (document.getElementById('video') as HTMLVideoElement).currentTime,
        latency: hls.latency,
        parts: details.partList?.length ?? 0,
        canBlockReload: details.canBlockReload,
        partTarget: details.partTarget,
        stallIncrease: hls.config.liveSyncOnStallIncrease,
        errors: (window as unknown as { playerErrors: { fatal: boolean; details: string }[] }).playerErrors,
        liveJumps: (window as unknown as { liveJumps: () => number }).liveJumps(),
      };
    });
    assert.deepEqual(
      report.errors.filter((e) => e.fatal),
      [],
    );
    assert.ok(report.currentTime - startTime >= 7, `played ${report.currentTime - startTime} s of 10`);
    assert.equal(report.canBlockReload, true);
    assert.ok(report.parts > 0, 'hls.js sees the parts');
    // The player page sizes hls.js's back-off after a stall to the parts, not to its 1 s default.
    assert.ok(report.partTarget > 0 && report.partTarget < 1, `PART-TARGET ${report.partTarget}`);
    assert.equal(report.stallIncrease, 2 * report.partTarget);
    // Reported, not asserted (no timed assertions): how far behind live hls.js plays.
    console.log(`# hls.js latency behind the live edge: ${report.latency.toFixed(2)} s (the page moved it to live ${report.liveJumps} times)`);
    assert.equal(typeof report.liveJumps, 'number', "the page's return to live runs in the browser");
    await page.close();
  });

  it('a signed LL stream: the edge holds only viewers with a token, and carries it into every URI of the answer', async () => {
    const edgeUrl = (query: string) => `http://127.0.0.1:${system.edgePort}/live/ll/source/index.m3u8${query}`;
    const originUrl = (query: string) => `${playlistUrl()}${query}`;
    assert.equal((await system.api('PATCH', '/api/v1/streams/ll', { playback: { signedUrls: true } })).status, 200);
    try {
      await eventually(
        async () => ((await fetch(edgeUrl(''))).status === 403 && (await fetch(originUrl(''))).status === 403 ? true : undefined),
        15_000,
        'tokens required',
      );
      const issued = await system.api('POST', '/api/v1/streams/ll/tokens', { expiresInSeconds: 600 });
      assert.equal(issued.status, 201, JSON.stringify(issued.json));
      const token = issued.json.token as string;
      const { msn, part } = lastPart(await (await fetch(edgeUrl(`?token=${token}`))).text());
      // Without a token a held request is refused before it waits, at the edge and at the origin.
      assert.equal((await fetch(edgeUrl(`?_HLS_msn=${msn}&_HLS_part=${part + 1}`))).status, 403);
      assert.equal((await fetch(originUrl(`?_HLS_msn=${msn}&_HLS_part=${part + 1}`))).status, 403);
      const held = await fetch(edgeUrl(`?_HLS_msn=${msn}&_HLS_part=${part + 1}&token=${token}`));
      assert.equal(held.status, 200);
      // Not the control plane's copy (which has its own token in it): the edge's, with this viewer's.
      assert.equal(held.headers.get('x-cache-status'), 'HIT');
      // A later viewer of the same playlist, served from the cache at once, gets its own token written in too.
      // (Another expiry: a token for the same stream and expiry is the same token.)
      const second = await system.api('POST', '/api/v1/streams/ll/tokens', { expiresInSeconds: 700 });
      assert.notEqual(second.json.token, token);
      const later = await fetch(edgeUrl(`?_HLS_msn=${msn}&_HLS_part=${part + 1}&token=${second.json.token as string}`), {
        headers: { 'Accept-Encoding': 'gzip' },
      });
      assert.equal(later.status, 200);
      assert.equal(later.headers.get('x-cache-status'), 'HIT');
      assert.equal(later.headers.get('content-encoding'), 'gzip');
      const laterText = await later.text();
      assert.ok(laterText.includes(`token=${second.json.token as string}`) && !laterText.includes(`token=${token}`), laterText);
      const text = await held.text();
      const attributes = [...text.matchAll(/URI="([^"]+)"/g)].map((m) => m[1]);
      const lines = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
      assert.ok(attributes.length > 0 && lines.length > 0, text);
      for (const uri of [...attributes, ...lines]) assert.ok(uri.includes(`token=${token}`), `${uri} carries the token`);
      assert.match(text, /^#EXT-X-MAP:URI="[^"]+token=/m);
      assert.match(text, /^#EXT-X-PRELOAD-HINT:[^\n]*token=/m);
      // Parts are served with the token and refused without it; the cache key has no token.
      const partUri = [...text.matchAll(/^#EXT-X-PART:[^\n]*URI="([^"]+)"/gm)].at(-1)![1];
      assert.equal((await fetch(`http://127.0.0.1:${system.edgePort}/live/ll/source/${partUri}`)).status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${system.edgePort}/live/ll/source/${partUri.split('?')[0]}`)).status, 403);
    } finally {
      assert.equal((await system.api('PATCH', '/api/v1/streams/ll', { playback: { signedUrls: false } })).status, 200);
      await eventually(
        async () => ((await fetch(edgeUrl(''))).status === 200 && (await fetch(originUrl(''))).status === 200 ? true : undefined),
        15_000,
        'open again',
      );
    }
  });

  it('a DVR window on an LL stream: hls.js in low-latency mode seeks 60 s back, plays from there, and returns to live', { timeout: 240_000 }, async () => {
    // Over 65 s of history first (whole segments: parts only near the live edge).
    const history = await eventually(
      async () => {
        const text = await (await get()).text();
        const seconds = [...text.matchAll(/^#EXTINF:([\d.]+),$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
        return seconds >= 66 ? text : undefined;
      },
      120_000,
      '66 s of history',
    );
    const segmentsWithParts = new Set([...history.matchAll(/^#EXT-X-PART:[^\n]*URI="seg(\d+)-/gm)].map((m) => m[1]));
    assert.ok(segmentsWithParts.size <= 4, `parts are listed only near the live edge (${segmentsWithParts.size} segments have them)`);
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${system.apiPort}/player?src=${encodeURIComponent(`http://127.0.0.1:${system.edgePort}/live/ll/index.m3u8`)}`);
    await page.waitForFunction(() => document.getElementById('state')?.textContent === 'playing', undefined, { timeout: 30_000 });
    const { atLive, rewound, back } = await seekBackAndReturn(page, 60);
    assert.ok(atLive < 10, `played ${atLive.toFixed(1)} s behind live before the seek`);
    const errors = await page.evaluate(() => (window as unknown as { playerErrors: { fatal: boolean }[] }).playerErrors);
    assert.deepEqual(
      errors.filter((e) => e.fatal),
      [],
    );
    console.log(`# LL DVR: ${atLive.toFixed(1)} s behind live, ${rewound.toFixed(1)} s after seeking back, ${back.toFixed(1)} s after returning`);
    await page.close();
  });

  it('a control-plane crash mid-segment: numbering goes on, and no file name is ever written again with other bytes', async () => {
    const dir = path.join(system.mediaRoot, 'live', 'll', 'source');
    const files = async () => {
      const names = (await readdir(dir)).filter((f) => /\.(m4s|mp4)$/.test(f));
      const digests = await Promise.all(
        names.map(async (f) =>
          createHash('sha1')
            .update(await readFile(path.join(dir, f)))
            .digest('hex'),
        ),
      );
      return new Map(names.map((f, i) => [f, digests[i]]));
    };
    const beforeText = await (await get()).text();
    const before = await files();
    // A crash mid-segment (a graceful stop would finish the segment first): the next run starts that segment again.
    system.proc.child.kill('SIGKILL');
    await system.proc.exitWithin();
    await system.restart();
    const afterText = await eventually(
      async () => {
        const res = await get().catch(() => null);
        const text = res?.status === 200 ? await res.text() : '';
        // Past the segment the restart cut short: the new run has written it (or its number) again.
        return text && lastPart(text).msn > lastPart(beforeText).msn + 1 ? text : undefined;
      },
      60_000,
      'parts of the new run',
    );
    assert.ok(lastPart(afterText).msn > lastPart(beforeText).msn, 'media sequence numbers go on');
    assert.match(afterText, /^#EXT-X-DISCONTINUITY$/m, 'the restart is a discontinuity');
    const after = await files();
    for (const [name, digest] of after) if (before.has(name)) assert.equal(digest, before.get(name), `${name} kept its bytes`);
  });
});
