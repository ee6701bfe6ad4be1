// npm run bench:llhls [-- --seconds 40 --viewers 200 --rounds 20]
// One system (control plane, origin, local edge) and two streams fed the same live test pattern
// (RTP, 1 s GOP, real time): one LL-HLS (fMP4, 0.2 s parts), one standard TS HLS (2 s segments).
// hls.js plays both in Chromium through the edge; latency is wall clock minus the
// EXT-X-PROGRAM-DATE-TIME of the frame on screen (hls.playingDate), sampled twice a second.
// Then the wake-up of held playlist requests: N viewers ask for the next part at once, at the
// origin and at the edge, timed from the moment the part's file appears (inotify) to each answer;
// and how many origin requests each part cost the edge (the control plane's fills, and viewers'
// X-Cache-Status MISSes). Last line:
// ratio=<LL median latency / TS median latency>.
import { watch } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/support/browser.js';
import { startEncoder } from '../test/support/encoder.js';
import { freeUdpPortBlock } from '../test/support/ports.js';
import { eventually, startSystem } from '../test/support/system.js';
import { numberOption } from './support/options.js';

const SECONDS = numberOption('seconds', 40);
const VIEWERS = numberOption('viewers', 200);
const ROUNDS = numberOption('rounds', 20);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;
};
const summary = (values: number[], unit: string, digits = 2) =>
  `min ${Math.min(...values).toFixed(digits)} median ${quantile(values, 0.5).toFixed(digits)} p90 ${quantile(values, 0.9).toFixed(digits)} p99 ${quantile(values, 0.99).toFixed(digits)} max ${Math.max(...values).toFixed(digits)} ${unit} (n=${values.length})`;

/** The newest part a playlist lists. */
function lastPart(text: string): { msn: number; part: number; run: string } | null {
  const parts = [...text.matchAll(/^#EXT-X-PART:[^\n]*URI="seg(\d+)-([a-z0-9]+)\.(\d+)\.m4s"/gm)];
  const last = parts.at(-1);
  return last ? { msn: Number(last[1]), run: last[2], part: Number(last[3]) } : null;
}

async function main(): Promise<void> {
  const system = await startSystem({ edge: true });
  const browser = await launchChromium();
  const encoders: ReturnType<typeof startEncoder>[] = [];
  try {
    for (const [key, packaging] of [
      ['ll', { lowLatency: true, segmentSeconds: 2, partSeconds: 0.2 }],
      ['ts', { segmentSeconds: 2 }],
    ] as const) {
      const port = await freeUdpPortBlock();
      const created = await system.api('POST', '/api/v1/streams', { key, ingest: { protocol: 'rtp', port }, packaging });
      if (created.status !== 201) throw new Error(`cannot create ${key}: ${JSON.stringify(created.json)}`);
      encoders.push(startEncoder({ protocol: 'rtp', port, seconds: SECONDS + 120 }));
    }
    for (const key of ['ll', 'ts'])
      await eventually(async () => ((await system.api('GET', `/api/v1/streams/${key}/status`)).json.segmentsWritten >= 3 ? true : undefined), 60_000, key);

    // Latency as a viewer sees it, both streams at once, through the edge.
    const open = async (key: string): Promise<{ page: Page; stalls: () => Promise<number> }> => {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${system.apiPort}/player?src=${encodeURIComponent(`http://127.0.0.1:${system.edgePort}/live/${key}/index.m3u8`)}`);
      await page.waitForFunction(() => document.getElementById('state')?.textContent === 'playing', undefined, { timeout: 60_000 });
      await page.evaluate(() => {
        const w = window as unknown as { stalls: number };
        w.stalls = 0;
        document.getElementById('video')!.addEventListener('waiting', () => w.stalls++);
      });
      return { page, stalls: () => page.evaluate(() => (window as unknown as { stalls: number }).stalls) };
    };
    const players = { ll: await open('ll'), ts: await open('ts') };
    await sleep(10_000); // hls.js settles on its live sync position
    const latency: Record<'ll' | 'ts', number[]> = { ll: [], ts: [] };
    for (let i = 0; i < SECONDS * 2; i++) {
      for (const key of ['ll', 'ts'] as const) {
        const seconds = await players[key].page.evaluate(() => {
          const date = (window as unknown as { hls: { playingDate: Date | null } }).hls.playingDate;
          return date ? (Date.now() - date.getTime()) / 1000 : null;
        });
        if (seconds !== null) latency[key].push(seconds);
      }
      await sleep(500);
    }
    const stalls = { ll: await players.ll.stalls(), ts: await players.ts.stalls() };
    await players.ll.page.close();
    await players.ts.page.close();

    // Wake-up of held playlist requests, from the part's file appearing to each answer.
    const dir = path.join(system.mediaRoot, 'live', 'll', 'source');
    const originUrl = `http://127.0.0.1:${system.httpPort}`;
    const edgeFills = async () =>
      [...(await (await fetch(`http://127.0.0.1:${system.apiPort}/metrics`)).text()).matchAll(/^hls_ll_edge_fills_total\{[^}]*\} (\S+)$/gm)].reduce(
        (sum, m) => sum + Number(m[1]),
        0,
      );
    const wake = async (base: string, viewers: number): Promise<{ ms: number[]; misses: number[]; fills: number[] }> => {
      const ms: number[] = [];
      const misses: number[] = [];
      const fills: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const fillsBefore = await edgeFills();
        // Where the playlist is now, from the origin (an edge may answer with a copy up to a second old).
        const at = lastPart(await (await fetch(`${originUrl}/live/ll/source/index.m3u8`)).text());
        if (!at) continue;
        const next = { msn: at.msn, part: at.part + 1 };
        const file = `seg${next.msn}-${at.run}.${next.part}.m4s`;
        const nextSegmentFile = `seg${next.msn + 1}-${at.run}.0.m4s`;
        let appeared = 0;
        const watcher = watch(dir, (_, name) => {
          if (!appeared && (name === file || name === nextSegmentFile)) appeared = performance.now();
        });
        const answers = await Promise.all(
          Array.from({ length: viewers }, async () => {
            const res = await fetch(`${base}/live/ll/source/index.m3u8?_HLS_msn=${next.msn}&_HLS_part=${next.part}`);
            const answered = performance.now();
            await res.arrayBuffer();
            return { answered, cache: res.headers.get('x-cache-status') };
          }),
        );
        watcher.close();
        if (!appeared) continue;
        for (const a of answers) ms.push(a.answered - appeared);
        misses.push(answers.filter((a) => a.cache === 'MISS').length);
        fills.push((await edgeFills()) - fillsBefore);
        await sleep(50);
      }
      return { ms, misses, fills };
    };
    const single = await wake(originUrl, 1);
    const origin = await wake(originUrl, Math.min(VIEWERS, 50));
    const edge = await wake(`http://127.0.0.1:${system.edgePort}`, VIEWERS);

    console.log(`latency LL-HLS (0.2 s parts, via edge): ${summary(latency.ll, 's')}; stalls ${stalls.ll}`);
    console.log(`latency TS HLS (2 s segments, via edge): ${summary(latency.ts, 's')}; stalls ${stalls.ts}`);
    console.log(`wake-up at the origin, 1 held request per part: ${summary(single.ms, 'ms', 1)}`);
    console.log(`wake-up at the origin, ${Math.min(VIEWERS, 50)} held requests per part: ${summary(origin.ms, 'ms', 1)}`);
    console.log(`wake-up at the edge, ${VIEWERS} held requests per part: ${summary(edge.ms, 'ms', 1)}`);
    // Each fill is one origin request: the playlist, and the part it adds.
    console.log(
      `origin requests per part through the edge (control-plane fills; viewers' MISSes of ${VIEWERS}): ${edge.fills.join(' ')}; ${edge.misses.join(' ')}`,
    );
    console.log('goals: LL median <= 1.5 s via the edge; wake-up p99 <= 20 ms at the origin, <= 50 ms at the edge; one origin request per part');
    console.log(`ratio=${(quantile(latency.ll, 0.5) / quantile(latency.ts, 0.5)).toFixed(3)}`);
  } finally {
    for (const e of encoders) e.child.kill('SIGKILL');
    await browser.close();
    await system.dispose();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
