// npm run bench:abr [-- --seconds 60 --rounds 2]
// The issue's ladder (720p, 480p, 360p from a 1080p30 feed) made two ways from the same recorded
// feed, replayed in real time as RTP with 5x10 FEC (support/rtp-capture.ts):
//   ours:   the control plane (ingest with FEC repair, source packaging) and its transcoder (one
//           ffmpeg: decode once, three scalers and x264 encoders), each rung packaged into HLS;
//   ffmpeg: one `ffmpeg -i rtp://... -f hls` with the same filter graph and encoder settings
//           (ladder-args.ts rungStreamArgs), writing the three rungs as HLS itself.
// Rounds alternate; each measures CPU over a window after a warm-up, less the control plane's idle
// CPU. Prints CPU per stream-minute of both (min, median, max) and a last line
// ratio=<ours / ffmpeg median CPU>.
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ladderFilter, rungStreamArgs, TranscodeRung } from '../control-plane/src/media/transcode/ladder-args.js';
import { stopOwnCluster } from '../test/support/database.js';
import { freeUdpPortBlock } from '../test/support/ports.js';
import { startSystem } from '../test/support/system.js';
import { childPids, cpuSeconds, endedChildrenCpuSeconds } from './support/cpu.js';
import { numberOption } from './support/options.js';
import { CaptureSpec, replayInBackground } from './support/rtp-capture.js';

const SECONDS = numberOption('seconds', 60);
const ROUNDS = numberOption('rounds', 2);
const WARM_UP_SECONDS = 15;
const FEC = { columns: 5, rows: 10 };
const LADDER: TranscodeRung[] = [
  { name: '720p', width: 1280, height: 720, videoKbps: 3000 },
  { name: '480p', width: 854, height: 480, videoKbps: 1400 },
  { name: '360p', width: 640, height: 360, videoKbps: 800 },
];
const CAPTURE: CaptureSpec = {
  seconds: WARM_UP_SECONDS + SECONDS + 15,
  size: '1920x1080',
  fps: 30,
  gop: 30,
  videoKbps: 6000,
  muxKbps: 7000,
  preset: 'veryfast',
  zeroLatency: true,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const spread = (v: number[]) => `min ${Math.min(...v).toFixed(2)} median ${median(v).toFixed(2)} max ${Math.max(...v).toFixed(2)}`;

/** The transcoder among `pid`'s children: the ffmpeg reading the feed on stdin (quality scorings are ffmpeg too). */
function transcoderOf(pid: number): number | undefined {
  return childPids(pid).find((child) => {
    try {
      const args = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0');
      return args.includes('-filter_complex') && args.includes('pipe:0');
    } catch {
      return false;
    }
  });
}

/** ffmpeg's own HLS muxer making the same three rungs with the same settings, one HLS output per rung. */
function startPeer(port: number, dir: string): ChildProcess {
  const outputs = LADDER.flatMap((r, i) => [
    ...rungStreamArgs(r, i),
    '-f',
    'hls',
    '-hls_time',
    '2',
    '-hls_list_size',
    '6',
    '-hls_flags',
    'delete_segments',
    '-hls_segment_filename',
    path.join(dir, String(i), 'seg%d.ts'),
    path.join(dir, String(i), 'index.m3u8'),
  ]);
  return spawn('ffmpeg', ['-v', 'error', '-i', `rtp://127.0.0.1:${port}`, '-filter_complex', ladderFilter(LADDER), ...outputs], { stdio: 'ignore' });
}

async function main(): Promise<void> {
  const system = await startSystem();
  const controlPlane = system.proc.child.pid!;
  const peerDir = path.join(os.tmpdir(), `hls-bench-abr-${process.pid}`);
  const ours: number[] = [];
  const theirs: number[] = [];
  const speeds: number[] = [];
  let peer: ChildProcess | null = null;
  try {
    console.log(
      `bench:abr: ${CAPTURE.size}@${CAPTURE.fps} ${CAPTURE.videoKbps} kbit/s feed (RTP, ${FEC.columns}x${FEC.rows} FEC, real time) -> ${LADDER.map((r) => `${r.name} ${r.videoKbps}k`).join(', ')}; ${SECONDS} s windows after ${WARM_UP_SECONDS} s of warm-up, ${ROUNDS} alternating rounds`,
    );
    for (let round = 0; round < ROUNDS; round++) {
      // Ours: a stream with the ladder, fed the capture.
      const idleFrom = cpuSeconds(controlPlane);
      await sleep(3000);
      const idlePerSecond = (cpuSeconds(controlPlane) - idleFrom) / 3;
      const port = await freeUdpPortBlock();
      const key = `abr${round}`;
      const created = await system.api('POST', '/api/v1/streams', {
        key,
        ingest: { protocol: 'rtp', port, fec: FEC },
        packaging: { segmentSeconds: 2 },
        renditions: LADDER,
      });
      if (created.status !== 201) throw new Error(`cannot create the stream: ${JSON.stringify(created.json)}`);
      const feed = replayInBackground(CAPTURE, FEC, [port]);
      await sleep(WARM_UP_SECONDS * 1000);
      const transcoder = transcoderOf(controlPlane);
      if (!transcoder) throw new Error('no transcoder is running');
      // The control plane, its transcoder, and the quality scorings that ended meanwhile (ffmpeg
      // children of the control plane, one per QUALITY_PROBE_SECONDS, 60 by default as users get it).
      const ourCpu = () => cpuSeconds(controlPlane) + cpuSeconds(transcoder) + endedChildrenCpuSeconds(controlPlane);
      const before = ourCpu();
      const start = performance.now();
      await sleep(SECONDS * 1000);
      const seconds = (performance.now() - start) / 1000;
      const used = ourCpu() - before - idlePerSecond * seconds;
      const status = (await system.api('GET', `/api/v1/streams/${key}/status`)).json;
      await feed.stop();
      await system.api('DELETE', `/api/v1/streams/${key}`);
      if (status.ladder.transcoder.restarts > 0) throw new Error(`the transcoder restarted: ${status.ladder.transcoder.lastError}`);
      for (const rung of status.ladder.rungs) if (rung.segmentsWritten < 3) throw new Error(`rung ${rung.name} wrote ${rung.segmentsWritten} segments`);
      ours.push((used / seconds) * 60);
      const scored = (status.ladder.rungs as { quality: { probes: number } }[]).reduce((n, r) => n + r.quality.probes, 0);
      speeds.push(status.ladder.transcoder.speed);

      // ffmpeg alone, the same feed.
      await rm(peerDir, { recursive: true, force: true });
      for (const r of LADDER.keys()) await mkdir(path.join(peerDir, String(r)), { recursive: true });
      const peerPort = await freeUdpPortBlock();
      peer = startPeer(peerPort, peerDir);
      await sleep(500);
      const peerFeed = replayInBackground(CAPTURE, FEC, [peerPort]);
      await sleep(WARM_UP_SECONDS * 1000);
      const peerBefore = cpuSeconds(peer.pid!);
      const peerStart = performance.now();
      await sleep(SECONDS * 1000);
      const peerSeconds = (performance.now() - peerStart) / 1000;
      const peerUsed = cpuSeconds(peer.pid!) - peerBefore;
      const peerPlaylist = await readFile(path.join(peerDir, '0', 'index.m3u8'), 'utf8').catch(() => '');
      await peerFeed.stop();
      peer.kill('SIGKILL');
      if (!peerPlaylist.includes('seg')) throw new Error("ffmpeg's HLS muxer wrote no segment: its figure would not count");
      theirs.push((peerUsed / peerSeconds) * 60);
      console.log(
        `round ${round + 1}: ours ${ours.at(-1)!.toFixed(2)} CPU s per stream-minute (transcoder at ${status.ladder.transcoder.speed}x, ${scored} quality scorings), ffmpeg alone ${theirs.at(-1)!.toFixed(2)}`,
      );
    }
    console.log(`ours (ingest + FEC + source packaging + transcoder + 3 rung packagers + quality scoring): ${spread(ours)} CPU s per stream-minute`);
    console.log(`ffmpeg -f hls, the same ladder and encoder settings: ${spread(theirs)} CPU s per stream-minute`);
    console.log(`transcoder speed: ${speeds.join(', ')} x real time`);
    console.log('goal: ratio <= 1.05');
    console.log(`ratio=${(median(ours) / median(theirs)).toFixed(3)}`);
  } finally {
    peer?.kill('SIGKILL');
    await rm(peerDir, { recursive: true, force: true });
    await system.dispose();
    await stopOwnCluster();
  }
}

await main();
