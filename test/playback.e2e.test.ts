import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { seekBackAndReturn } from './support/dvr-seek.js';
import { startEncoder } from './support/encoder.js';
import { freeUdpPortBlock } from './support/ports.js';
import { eventually, startSystem, SystemUnderTest } from './support/system.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('playback in a real browser', () => {
  let system: SystemUnderTest;
  let browser: Browser;
  before(async () => {
    system = await startSystem();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await system.dispose();
  });

  const segmentsWritten = (key: string, count: number, timeoutMs: number) =>
    eventually(
      async () => ((await system.api('GET', `/api/v1/streams/${key}/status`)).json.segmentsWritten >= count ? true : undefined),
      timeoutMs,
      `${count} segments of ${key}`,
    );
  /** The player page on the origin URL of `key`, once hls.js says it is playing. */
  const openPlayer = async (key: string) => {
    const page = await browser.newPage();
    const console: string[] = [];
    page.on('console', (m) => console.push(m.text()));
    await page.goto(`http://127.0.0.1:${system.apiPort}/player?src=${encodeURIComponent(`http://127.0.0.1:${system.httpPort}/live/${key}/index.m3u8`)}`);
    await page.waitForFunction(() => document.getElementById('state')?.textContent === 'playing', undefined, { timeout: 30_000 });
    return { page, console };
  };

  it('hls.js in headless Chromium plays the origin URL for 20 s: no fatal error, the playhead advances', async () => {
    const port = await freeUdpPortBlock();
    const created = await system.api('POST', '/api/v1/streams', {
      key: 'watch',
      ingest: { protocol: 'rtp', port, fec: { columns: 5, rows: 10 } },
      packaging: { segmentSeconds: 2 },
    });
    assert.equal(created.status, 201);
    const encoder = startEncoder({ protocol: 'rtp', port, fec: { columns: 5, rows: 10 }, seconds: 60 });
    try {
      await segmentsWritten('watch', 3, 30_000);
      const { page, console } = await openPlayer('watch');
      const start = await page.evaluate(() => (document.getElementById('video') as HTMLVideoElement).currentTime);
      const samples: number[] = [];
      for (let i = 0; i < 20; i++) {
        await sleep(1000);
        samples.push(await page.evaluate(() => (document.getElementById('video') as HTMLVideoElement).currentTime));
      }
      const errors = await page.evaluate(() => (window as unknown as { playerErrors: { fatal: boolean; details: string }[] }).playerErrors);
      assert.deepEqual(
        errors.filter((e) => e.fatal),
        [],
        `no fatal hls.js error; console: ${console.join('\n')}`,
      );
      const end = samples[samples.length - 1];
      assert.ok(end - start >= 15, `played ${end - start} s of 20 (samples ${samples.join(', ')})`);
      for (let i = 1; i < samples.length; i++) assert.ok(samples[i] >= samples[i - 1], 'the playhead never goes back');
      const stalledSeconds = samples.filter((t, i) => i > 0 && t === samples[i - 1]).length;
      assert.ok(stalledSeconds <= 2, `stalled ${stalledSeconds} s`);
    } finally {
      encoder.child.kill('SIGINT');
      await encoder.done;
    }
  });

  it('a DVR window: hls.js seeks 25 s back into it, plays from there, and returns to live', { timeout: 180_000 }, async () => {
    const port = await freeUdpPortBlock();
    const created = await system.api('POST', '/api/v1/streams', {
      key: 'rewind',
      ingest: { protocol: 'udp', port },
      packaging: { segmentSeconds: 1, windowSegments: 4, dvrSeconds: 40 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const encoder = startEncoder({ protocol: 'udp', port, seconds: 120 });
    try {
      await segmentsWritten('rewind', 32, 60_000); // over 30 s of history
      const { page } = await openPlayer('rewind');
      const { atLive, rewound, back } = await seekBackAndReturn(page, 25);
      assert.ok(back < rewound, `behind live: ${atLive.toFixed(1)} s, rewound ${rewound.toFixed(1)} s, back ${back.toFixed(1)} s`);
      const playlist = await (await fetch(`http://127.0.0.1:${system.httpPort}/live/rewind/source/index.m3u8`)).text();
      const seconds = [...playlist.matchAll(/#EXTINF:([\d.]+),/g)].reduce((sum, m) => sum + Number(m[1]), 0);
      assert.ok(seconds >= 30, `the media playlist holds ${seconds} s`);
    } finally {
      encoder.child.kill('SIGINT');
      await encoder.done;
    }
  });
});
