// npm run bench:llhls [-- --seconds 40 --joins 4 --viewers 200 --rounds 20]
// One system (control plane, origin, local edge) and two streams fed the same recorded feed (a test
// pattern with a 1 s GOP, RTP with 5x10 FEC, replayed in real time from a capture: support/
// rtp-capture.ts): one LL-HLS (fMP4, 0.2 s parts), one standard TS HLS (2 s segments).
// hls.js plays both in Chromium through the edge, and the TS one from the origin too; latency is
// wall clock minus the EXT-X-PROGRAM-DATE-TIME of the frame on screen (hls.playingDate), sampled
// twice a second, over several joins (where a player joins in the segment cycle moves its latency).
// ffmpeg's own HLS muxer, fed the same RTP, writes 2 s TS segments that the origin (plain nginx)
// serves, and a fourth player measures it, its PDT put on the replay clock: the peer for standard
// HLS latency.
// Then the wake-up of held playlist requests: N viewers ask for the next part at once, at the
// origin and at the edge, timed from the moment the part's file appears (inotify) to each answer;
// and how many origin requests each part cost the edge (the control plane's fills, and viewers'
// X-Cache-Status MISSes). Then playlist bytes and CPU per request at a 10 s window (the LL stream)
// and a 2 h DVR window (a third LL stream whose two hours of history are written ahead, as if it
// had run that long; the packager resumes it): full playlist and delta update (_HLS_skip=YES),
// gzip-encoded as players ask, nginx's and the control plane's CPU, and the packager's rendering
// per part. Last line:
// ratio=<LL median latency / TS median latency>.
// `--joins 0 --playlist-requests 0` runs the wake-up rounds alone (to profile them; no ratio line).
import type { ChildProcess } from 'node:child_process';
import { watch } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/support/browser.js';
import { freeUdpPortBlock } from '../test/support/ports.js';
import { stopOwnCluster } from '../test/support/database.js';
import { eventually, startSystem, SystemUnderTest } from '../test/support/system.js';
import { initFile, MEDIA_PLAYLIST, segmentFile, SOURCE_VARIANT } from '../control-plane/src/media/hls-layout.js';
import { parseMediaPlaylist, writeMediaPlaylist } from '../control-plane/src/media/playlist/media-playlist.js';
import { cpuSeconds } from './support/cpu.js';
import { startFfmpegHls } from './support/ffmpeg-hls.js';
import { load, workerCpu } from './support/http-load.js';
import { KeepAliveConnection } from './support/raw-get.js';
import { numberOption } from './support/options.js';
import { CaptureSpec, replayInBackground } from './support/rtp-capture.js';

const SECONDS = numberOption('seconds', 40);
const VIEWERS = numberOption('viewers', 200);
const ROUNDS = numberOption('rounds', 20);
const JOINS = numberOption('joins', 4);
const PLAYLIST_REQUESTS = numberOption('playlist-requests', 400);
const DVR_SECONDS = 7200;
const FEC = { columns: 5, rows: 10 };
/**
 * The feed: what the tests' live encoder sends (360p25, 1 s GOP, x264 zerolatency, 1.2 Mbit/s),
 * long enough for the whole run (start-up, the latency window, the wake-up rounds, the playlist cost).
 */
const CAPTURE: CaptureSpec = {
  seconds: SECONDS + 240 + 20 * JOINS,
  size: '640x360',
  fps: 25,
  gop: 25,
  videoKbps: 1200,
  muxKbps: 1600,
  preset: 'veryfast',
  zeroLatency: true,
};

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

/** Where ffmpeg's own HLS muxer writes the same feed (under the origin's media root: plain nginx serves it). */
const PEER_KEY = 'ffmpeg-peer';

/**
 * The peer for standard HLS latency: ffmpeg receiving the same RTP feed (it ignores the FEC ports)
 * and writing 2 s TS segments with EXT-X-PROGRAM-DATE-TIME, as a streaming engineer would set it up
 * (the issue's baseline: 6.6 s in hls.js behind plain nginx). Its EXT-X-PROGRAM-DATE-TIME is not
 * stamped like ours (arrival of each segment's first packet): ffmpeg takes the wall clock when its
 * muxer starts, after probing the input, and adds durations, so its figure is put on the replay's
 * clock (peerProgramDateTimeError) before it is compared.
 */
function startFfmpegPeer(port: number, dir: string): ChildProcess & { readonly errors: string } {
  return startFfmpegHls(`rtp://127.0.0.1:${port}`, dir, { segmentSeconds: 2, programDateTime: true });
}

async function main(): Promise<void> {
  const system = await startSystem({ edge: true });
  const browser = await launchChromium();
  const ports = { ll: 0, ts: 0, dvr: 0, peer: 0 };
  /** A free port block for `key`, at least 6 ports from the others' (RTP, FEC and RTCP ports follow each). */
  const pickPort = async (key: keyof typeof ports) => {
    do ports[key] = await freeUdpPortBlock();
    while (Object.values(ports).filter((p) => Math.abs(p - ports[key]) < 6).length > 1);
  };
  for (const key of ['ll', 'ts', 'dvr', 'peer'] as const) await pickPort(key);
  // The peer listens before the feed starts, so its first segment starts at the capture's first frame.
  const peerDir = path.join(system.mediaRoot, 'live', PEER_KEY);
  let peer = startFfmpegPeer(ports.peer, peerDir);
  let feed: ReturnType<typeof replayInBackground> | null = null;
  try {
    // Now and then (about one run in four here) ffmpeg neither binds its port nor exits: it is
    // started again on another port, up to three times.
    for (let attempt = 1; ; attempt++) {
      try {
        await eventually(
          async () => {
            if (peer.exitCode !== null) throw new Error(`ffmpeg (the HLS peer) exited with ${peer.exitCode} before listening on ${ports.peer}: ${peer.errors}`);
            return (await udpPortBound(ports.peer)) ? true : undefined;
          },
          10_000,
          `ffmpeg listening on UDP ${ports.peer}`,
        );
        break;
      } catch (error) {
        peer.kill('SIGKILL');
        if (attempt === 3) throw error;
        console.warn(`${(error as Error).message} (${peer.errors.trim() || 'nothing on its stderr'}); starting it again on another port`);
        await pickPort('peer');
        peer = startFfmpegPeer(ports.peer, peerDir);
      }
    }
    // One feed to all four ports (the DVR stream's exists only later: until then it is dropped).
    feed = replayInBackground(CAPTURE, FEC, Object.values(ports));
    let feedEnded = false;
    void feed.done.then(() => (feedEnded = true));
    const peerClockError = peerProgramDateTimeError(peerDir, await feed.started);
    peerClockError.catch(() => undefined); // awaited (and its error thrown) after the latency window
    for (const [key, packaging] of [
      ['ll', { lowLatency: true, segmentSeconds: 2, partSeconds: 0.2, windowSegments: 5 }],
      ['ts', { segmentSeconds: 2 }],
    ] as const) {
      const created = await system.api('POST', '/api/v1/streams', { key, ingest: { protocol: 'rtp', port: ports[key], fec: FEC }, packaging });
      if (created.status !== 201) throw new Error(`cannot create ${key}: ${JSON.stringify(created.json)}`);
    }
    for (const key of ['ll', 'ts'])
      await eventually(async () => ((await system.api('GET', `/api/v1/streams/${key}/status`)).json.segmentsWritten >= 3 ? true : undefined), 60_000, key);

    // Latency as a viewer sees it, four players at once: ours (LL and TS) through the edge, ours (TS)
    // from the origin, and ffmpeg's from plain nginx (the origin). A player's latency depends on
    // when in the segment cycle it joined (hls.js starts three target durations behind the newest
    // segment end it sees, and with its defaults never catches up): every player joins JOINS times.
    const open = async (key: string, port: number): Promise<{ page: Page; stalls: () => Promise<number> }> => {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${system.apiPort}/player?src=${encodeURIComponent(`http://127.0.0.1:${port}/live/${key}/index.m3u8`)}`);
      await page.waitForFunction(() => document.getElementById('state')?.textContent === 'playing', undefined, { timeout: 60_000 });
      await page.evaluate(() => {
        const w = window as unknown as { stalls: number };
        w.stalls = 0;
        document.getElementById('video')!.addEventListener('waiting', () => w.stalls++);
      });
      return { page, stalls: () => page.evaluate(() => (window as unknown as { stalls: number }).stalls) };
    };
    const watched = {
      ll: ['ll', system.edgePort!],
      ts: ['ts', system.edgePort!],
      tsOrigin: ['ts', system.httpPort],
      peer: [PEER_KEY, system.httpPort],
    } as const;
    type Player = keyof typeof watched;
    const latency: Record<Player, number[]> = { ll: [], ts: [], tsOrigin: [], peer: [] };
    const perJoin: Record<Player, number[]> = { ll: [], ts: [], tsOrigin: [], peer: [] };
    const stalls: Record<Player, number> = { ll: 0, ts: 0, tsOrigin: 0, peer: 0 };
    // The player page's moves back to live (live-jump.ts: hls.js joined beyond its own catch-up), per join.
    const liveJumps: number[] = [];
    const llStallsPerJoin: number[] = [];
    for (let join = 0; join < JOINS; join++) {
      const players = Object.fromEntries(
        await Promise.all(Object.entries(watched).map(async ([name, [key, port]]) => [name, await open(key, port)] as const)),
      ) as Record<Player, Awaited<ReturnType<typeof open>>>;
      await sleep(8_000); // hls.js settles on its live sync position
      const samples: Record<Player, number[]> = { ll: [], ts: [], tsOrigin: [], peer: [] };
      for (let i = 0; i < (SECONDS / JOINS) * 2; i++) {
        for (const name of Object.keys(watched) as Player[]) {
          const seconds = await players[name].page.evaluate(() => {
            const date = (window as unknown as { hls: { playingDate: Date | null } }).hls.playingDate;
            return date ? (Date.now() - date.getTime()) / 1000 : null;
          });
          if (seconds !== null) samples[name].push(seconds);
        }
        await sleep(500);
      }
      for (const name of Object.keys(watched) as Player[]) {
        latency[name].push(...samples[name]);
        perJoin[name].push(quantile(samples[name], 0.5));
        const joinStalls = await players[name].stalls();
        stalls[name] += joinStalls;
        if (name === 'll') {
          llStallsPerJoin.push(joinStalls);
          liveJumps.push(await players[name].page.evaluate(() => (window as unknown as { liveJumps: () => number }).liveJumps()));
        }
        await players[name].page.close();
      }
    }
    peer.kill('SIGKILL');

    // Wake-up of held playlist requests, from the part's file appearing to each answer.
    const dir = path.join(system.mediaRoot, 'live', 'll', 'source');
    const originUrl = `http://127.0.0.1:${system.httpPort}`;
    const edgeFills = async () =>
      [...(await (await fetch(`http://127.0.0.1:${system.apiPort}/metrics`)).text()).matchAll(/^hls_ll_edge_fills_total\{[^}]*\} (\S+)$/gm)].reduce(
        (sum, m) => sum + Number(m[1]),
        0,
      );
    const wake = async (port: number, viewers: number): Promise<{ ms: number[]; misses: number[]; fills: number[]; rounds: WakeRound[] }> => {
      const ms: number[] = [];
      const rounds: WakeRound[] = [];
      const misses: number[] = [];
      const fills: number[] = [];
      // Each viewer keeps its connection across rounds, as a browser does between playlist reloads.
      const connections = Array.from({ length: viewers }, () => new KeepAliveConnection(port));
      // Round -1 warms up (the connections nginx keeps to the control plane, code paths) and is not counted.
      for (let round = -1; round < ROUNDS; round++) {
        const fillsBefore = await edgeFills();
        // Where the playlist is now, from the origin (an edge may answer with a copy up to a second old).
        const at = lastPart(await (await fetch(`${originUrl}/live/ll/source/index.m3u8`)).text());
        if (!at) continue;
        const next = { msn: at.msn, part: at.part + 1 };
        const file = `seg${next.msn}-${at.run}.${next.part}.m4s`;
        const nextSegmentFile = `seg${next.msn + 1}-${at.run}.0.m4s`;
        let appeared = 0;
        let appearedWall = 0;
        const watcher = watch(dir, (_, name) => {
          if (appeared || (name !== file && name !== nextSegmentFile)) return;
          appeared = performance.now();
          appearedWall = Date.now();
        });
        // As browsers ask (Chromium's Accept-Encoding), over a thin client (raw-get.ts).
        const sentAt = Date.now();
        const answers = await Promise.all(
          connections.map((c) =>
            c.get(`/live/ll/source/index.m3u8?_HLS_msn=${next.msn}&_HLS_part=${next.part}`, { 'Accept-Encoding': 'gzip, deflate, br, zstd' }),
          ),
        );
        watcher.close();
        rounds.push({ sentAt, doneAt: Date.now(), appearedAt: appearedWall, counted: round >= 0 });
        if (!appeared || round < 0) continue;
        if (answers.some((a) => a.status !== 200)) throw new Error(`held requests answered ${[...new Set(answers.map((a) => a.status))].join(', ')}`);
        for (const a of answers) ms.push(a.firstByteAt - appeared);
        misses.push(answers.filter((a) => a.cacheStatus === 'MISS').length);
        fills.push((await edgeFills()) - fillsBefore);
        await sleep(50);
      }
      for (const c of connections) c.close();
      return { ms, misses, fills, rounds };
    };
    const single = await wake(system.httpPort, 1);
    const origin = await wake(system.httpPort, Math.min(VIEWERS, 50));
    const edgeCpu = await cpuPerHeldRequest(system, () => wake(system.edgePort!, VIEWERS));
    const edge = edgeCpu.result;
    const edgeSent = await answeredPerEdgeLog(path.join(system.dataDir, 'nginx', 'edge', 'access.log'), '/live/ll/source/index.m3u8', edge.rounds);
    // The floor under the edge's figure: the same number of concurrent requests for an object the
    // edge has cached (a part: immutable, so it stays a HIT), nothing to wait for, timed from sending them.
    const floor: number[] = [];
    const cached = lastPart(await (await fetch(`${originUrl}/live/ll/source/index.m3u8`)).text())!;
    const cachedPath = `/live/ll/source/seg${cached.msn}-${cached.run}.${cached.part}.m4s`;
    const floorConnections = Array.from({ length: VIEWERS }, () => new KeepAliveConnection(system.edgePort!));
    await Promise.all(floorConnections.map((c) => c.get(cachedPath))); // connected, and the part cached
    for (let round = 0; round < ROUNDS; round++) {
      const sent = performance.now();
      const answers = await Promise.all(floorConnections.map((c) => c.get(cachedPath)));
      for (const a of answers) floor.push(a.firstByteAt - sent);
      await sleep(50);
    }
    for (const c of floorConnections) c.close();
    const windows = PLAYLIST_REQUESTS > 0 ? await playlistCost(system, ports.dvr) : [];
    if (feedEnded) throw new Error(`the ${CAPTURE.seconds} s capture ended before the run did: its figures would include a stopped feed`);

    const wakeLines = [
      `wake-up at the origin, 1 held request per part: ${summary(single.ms, 'ms', 1)}`,
      `wake-up at the origin, ${Math.min(VIEWERS, 50)} held requests per part: ${summary(origin.ms, 'ms', 1)}`,
      `wake-up at the edge, ${VIEWERS} held requests per part: ${summary(edge.ms, 'ms', 1)}`,
      `  the same, answer handed to the kernel (edge's log, 1 ms resolution): ${summary(edgeSent.ms, 'ms', 0)}`,
      `  per round, first and last answer handed to the kernel: ${edgeSent.spans.map(([a, b]) => `${a}..${b}`).join(' ')} ms`,
    ];
    if (JOINS === 0) {
      for (const line of [...wakeLines, ...windows]) console.log(line);
      return;
    }
    const peerError = await peerClockError;
    const joins = (name: Player, shift = 0) => perJoin[name].map((m) => (m + shift).toFixed(2)).join(' ');
    console.log(
      `latency LL-HLS (0.2 s parts, via edge): ${summary(latency.ll, 's')}; per join ${joins('ll')}; stalls ${stalls.ll} (per join ${llStallsPerJoin.join(' ')}); moved back to live by the player page per join ${liveJumps.join(' ')}`,
    );
    console.log(`latency TS HLS (2 s segments, via edge): ${summary(latency.ts, 's')}; per join ${joins('ts')}; stalls ${stalls.ts}`);
    console.log(`latency TS HLS (2 s segments, from the origin): ${summary(latency.tsOrigin, 's')}; per join ${joins('tsOrigin')}; stalls ${stalls.tsOrigin}`);
    // Its first segment starts with the capture's first frame, which left the replay at `started`:
    // the PDT ffmpeg wrote for it, minus that, is how far its clock is off, for every segment (ffmpeg adds durations).
    console.log(
      `latency ffmpeg's HLS muxer (2 s segments, plain nginx), the same feed, on the replay clock: ${summary(
        latency.peer.map((x) => x + peerError),
        's',
      )}; per join ${joins('peer', peerError)}; stalls ${stalls.peer}`,
    );
    console.log(
      `  (ffmpeg's EXT-X-PROGRAM-DATE-TIME is ${peerError.toFixed(2)} s after the first frame's sending: the wall clock when its muxer started, after probing the input)`,
    );
    for (const line of wakeLines) console.log(line);
    console.log(
      `  CPU per held viewer request (background work taken off): edge nginx ${edgeCpu.us.edge.toFixed(0)} us, origin nginx ${edgeCpu.us.origin.toFixed(0)} us, control plane ${edgeCpu.us.controlPlane.toFixed(0)} us`,
    );
    console.log(`floor: ${VIEWERS} concurrent requests for a part the edge has cached, from sending: ${summary(floor, 'ms', 1)}`);
    // Each fill is one origin request: the playlist, and the part it adds.
    console.log(
      `origin requests per part through the edge (control-plane fills; viewers' MISSes of ${VIEWERS}): ${edge.fills.join(' ')}; ${edge.misses.join(' ')}`,
    );
    for (const w of windows) console.log(w);
    const [ll, ts] = await Promise.all(['ll', 'ts'].map(async (key) => (await system.api('GET', `/api/v1/streams/${key}/status`)).json));
    console.log(
      `feed: ${CAPTURE.size} ${CAPTURE.videoKbps} kbit/s, RTP with ${FEC.columns}x${FEC.rows} FEC replayed in real time; ` +
        `LL stream received ${ll.datagramsReceived} datagrams (${ll.recoveredByFec} repaired, ${ll.unrecoverable} lost), TS stream ${ts.datagramsReceived} (${ts.recoveredByFec}, ${ts.unrecoverable}); ` +
        `the longest a gap may wait for FEC (playoutDelayMs; in-order packets do not wait) ${Math.round(ts.playoutDelayMs)} ms`,
    );
    console.log('goals: LL median <= 1.5 s via the edge; wake-up p99 <= 20 ms at the origin, <= 50 ms at the edge; one origin request per part');
    console.log(`ratio=${(quantile(latency.ll, 0.5) / quantile(latency.ts, 0.5)).toFixed(3)}`);
  } finally {
    peer.kill('SIGKILL');
    await feed?.stop();
    await browser.close();
    await system.dispose();
    // The PostgreSQL cluster startSystem started for this process (in a test run, node:test stops it).
    await stopOwnCluster();
  }
}

/** Whether a UDP socket is bound to `port` on this machine (/proc/net/udp lists local ports in hex). */
async function udpPortBound(port: number): Promise<boolean> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  return (await readFile('/proc/net/udp', 'utf8')).split('\n').some((line) => line.split(/\s+/)[2]?.endsWith(hex.trim()));
}

/**
 * How far, in seconds, ffmpeg's EXT-X-PROGRAM-DATE-TIME for its first segment (media sequence 0) is
 * from `firstFrameSentAt` (wall clock, ms): read from its playlist as soon as it is written, before
 * the six-segment window slides past it.
 */
async function peerProgramDateTimeError(dir: string, firstFrameSentAt: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const text = await readFile(path.join(dir, 'index.m3u8'), 'utf8').catch(() => '');
    const parsed = text ? parseMediaPlaylist(text) : null;
    const first = parsed?.mediaSequence === 0 ? parsed.segments[0]?.programDateTime : undefined;
    if (first) return (first.getTime() - firstFrameSentAt) / 1000;
    if (parsed && parsed.mediaSequence > 0) break;
    await sleep(100);
  }
  throw new Error("ffmpeg's first segment (media sequence 0) with its EXT-X-PROGRAM-DATE-TIME was not seen in its playlist");
}

/** One round of held requests, in wall-clock ms (Date.now), to match the edge's log against. */
interface WakeRound {
  sentAt: number;
  doneAt: number;
  /** When the part's file appeared; 0 when it was not seen (the round is not counted). */
  appearedAt: number;
  /** False for the warm-up round. */
  counted: boolean;
}

/**
 * Server-side wake-up: for every viewer answer to a held playlist request in the edge's access log
 * (`msec`: when nginx handed it to the kernel), the time since its round's part appeared. The
 * client's figure also holds the client's own delays: 200 answers are read one after another by one
 * event loop on a machine whose two cores nginx, the control plane and the client share.
 */
async function answeredPerEdgeLog(logFile: string, playlistPath: string, rounds: WakeRound[]): Promise<{ ms: number[]; spans: [number, number][] }> {
  await sleep(1500); // the log is buffered and flushed every second
  const sent: number[] = [];
  const perRound = new Map<WakeRound, number[]>();
  for (const line of (await readFile(logFile, 'utf8')).split('\n')) {
    if (!line.includes(playlistPath)) continue;
    const entry = JSON.parse(line) as { msec: number; path: string; status: number };
    if (typeof entry.msec !== 'number') throw new Error(`the edge's access log has no "msec" field: ${line}`);
    if (entry.path !== playlistPath || entry.status !== 200) continue;
    const at = entry.msec * 1000;
    // The round that sent it (log times have 1 ms resolution); rounds whose part was not seen appearing are left out, as on the client's side.
    const round = rounds.find((r) => r.sentAt <= at + 1 && at <= r.doneAt + 1);
    if (!round || round.appearedAt === 0 || !round.counted) continue;
    const ms = Math.max(0, at - round.appearedAt);
    sent.push(ms);
    perRound.set(round, [...(perRound.get(round) ?? []), ms]);
  }
  const spans = [...perRound.values()].map((ms) => [Math.round(Math.min(...ms)), Math.round(Math.max(...ms))] as [number, number]);
  return { ms: sent, spans };
}

/**
 * CPU per held request of the edge's and the origin's nginx workers and of the control plane while
 * `run` sends its rounds, less what each spends in the same time with no requests (ingest and
 * packaging go on meanwhile).
 */
async function cpuPerHeldRequest<T extends { rounds: WakeRound[] }>(
  system: SystemUnderTest,
  run: () => Promise<T>,
): Promise<{ result: T; us: { edge: number; origin: number; controlPlane: number } }> {
  const sample = () => ({
    edge: workerCpu(path.join(system.dataDir, 'nginx', 'edge')),
    origin: workerCpu(path.join(system.dataDir, 'nginx', 'origin')),
    controlPlane: cpuSeconds(system.proc.child.pid!),
  });
  const idleFrom = sample();
  const idleStart = performance.now();
  await sleep(2000);
  const idleTo = sample();
  const idleSeconds = (performance.now() - idleStart) / 1000;
  const before = sample();
  const start = performance.now();
  const result = await run();
  const after = sample();
  const seconds = (performance.now() - start) / 1000;
  const requests = result.rounds.length * VIEWERS;
  const per = (k: keyof typeof before) => ((after[k] - before[k] - ((idleTo[k] - idleFrom[k]) / idleSeconds) * seconds) * 1e6) / requests;
  return { result, us: { edge: per('edge'), origin: per('origin'), controlPlane: per('controlPlane') } };
}

/**
 * A stream whose playlist already holds `seconds` of whole 2 s segments ending now, written before
 * the stream exists: its packager resumes the numbering and keeps the history (dvrSeconds), so the
 * live playlist has a window of hours after seconds of running. The old segments' files do not
 * exist; only playlists are fetched.
 */
async function streamWithHistory(system: SystemUnderTest, key: string, seconds: number, port: number): Promise<void> {
  const dir = path.join(system.mediaRoot, 'live', key, SOURCE_VARIANT);
  await mkdir(dir, { recursive: true });
  const count = Math.round(seconds / 2);
  const start = Date.now() - seconds * 1000;
  const text = writeMediaPlaylist({
    targetDuration: 2,
    mediaSequence: 0,
    discontinuitySequence: 0,
    segments: Array.from({ length: count }, (_, i) => ({
      uri: segmentFile(i, 'm4s', 'history'),
      duration: 2,
      programDateTime: new Date(start + i * 2000),
      discontinuity: false,
      map: initFile(0, 'history'),
    })),
  });
  await writeFile(path.join(dir, MEDIA_PLAYLIST), text);
  const packaging = { lowLatency: true, segmentSeconds: 2, partSeconds: 0.2, dvrSeconds: seconds };
  const created = await system.api('POST', '/api/v1/streams', { key, ingest: { protocol: 'rtp', port, fec: FEC }, packaging });
  if (created.status !== 201) throw new Error(`cannot create ${key}: ${JSON.stringify(created.json)}`);
  // The run's parts are listed after the history: the packager resumed it.
  await eventually(
    async () => {
      const now = await (await fetch(`http://127.0.0.1:${system.httpPort}/live/${key}/${SOURCE_VARIANT}/${MEDIA_PLAYLIST}`)).text();
      return lastPart(now) && (parseMediaPlaylist(now)?.segments.length ?? 0) >= count ? true : undefined;
    },
    60_000,
    `${key} resumed with its history`,
  );
}
/**
 * Bytes and CPU per playlist request, full and delta, gzip-encoded as players ask, at the LL
 * stream's 10 s window and at a 2 h DVR window; and the packager's rendering of the playlist,
 * which it does with every part.
 */
async function playlistCost(system: SystemUnderTest, dvrPort: number): Promise<string[]> {
  await streamWithHistory(system, 'dvr', DVR_SECONDS, dvrPort);
  const origin = { port: system.httpPort, prefix: path.join(system.dataDir, 'nginx', 'origin') };
  const controlPlane = system.proc.child.pid!;
  const lines: string[] = [];
  for (const [key, label] of [
    ['ll', '10 s window'],
    ['dvr', `${DVR_SECONDS / 3600} h DVR window`],
  ] as const) {
    const route = `/live/${key}/${SOURCE_VARIANT}/${MEDIA_PLAYLIST}`;
    const onDisk = parseMediaPlaylist(await (await fetch(`http://127.0.0.1:${system.httpPort}${route}`)).text())!;
    for (const [kind, query] of [
      ['full', ''],
      ['delta', '?_HLS_skip=YES'],
    ] as const) {
      const plain = (await load(origin, `${route}${query}`, 1, 1)).bytes;
      // The control plane works for delta requests (they carry a directive); its own background
      // work (ingest, packaging) is measured just before and taken off.
      const idleFrom = cpuSeconds(controlPlane);
      await sleep(1000);
      const idlePerSecond = cpuSeconds(controlPlane) - idleFrom;
      const before = cpuSeconds(controlPlane);
      const run = await load(origin, `${route}${query}`, PLAYLIST_REQUESTS, 4, ['Accept-Encoding: gzip']);
      const controlUs = Math.max(0, ((cpuSeconds(controlPlane) - before - idlePerSecond * run.seconds) * 1e6) / run.requests);
      lines.push(
        `playlist ${kind} at a ${label} (${onDisk.segments.length} segments): ${plain} bytes, ${Math.round(run.bytes / run.requests)} gzip-encoded; ` +
          `CPU per request: nginx ${run.cpuUsPerRequest.toFixed(0)} us, control plane ${controlUs.toFixed(0)} us (n=${run.requests})`,
      );
    }
    // The packager renders the playlist (and its delta) with every part: steady state, segments already rendered once.
    const model = { ...onDisk, lowLatency: { partTarget: 0.2, partHoldBack: 0.6, holdBack: 6, canSkipUntil: 12 } };
    writeMediaPlaylist(model);
    const renders = 50;
    const t = performance.now();
    for (let i = 0; i < renders; i++) writeMediaPlaylist(model);
    lines.push(`packager rendering per part at a ${label}: ${((performance.now() - t) / renders).toFixed(2)} ms`);
  }
  return lines;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
