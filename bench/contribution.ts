// npm run bench:contribution [-- --streams 4 --seconds 30 --rounds 3 --latency 200]
// Contribution protocols, ours against ffmpeg receiving the same protocol and writing HLS with
// `-c copy`, in alternating rounds of one run. So far SRT: N senders (ffmpeg, libsrt callers)
// replaying a recorded 4 Mbit/s capture in real time to N SRT streams of this system (the control
// plane with its srt-live-transmit listeners: CPU of both counted), then to N `ffmpeg -i srt://
// listener -c copy -f hls` peers. Senders' CPU is not counted on either side. Prints CPU seconds
// per stream-minute (min, median, max) and a last line ratio=<worst ours/ffmpeg median ratio>.
import { ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freeUdpPortBlocks } from '../test/support/ports.js';
import { REPO_ROOT } from '../test/support/process.js';
import { startBenchSystem } from './support/bench-system.js';
import { childPids, cpuSeconds } from './support/cpu.js';
import { startFfmpegHls } from './support/ffmpeg-hls.js';
import { numberOption } from './support/options.js';
import { CaptureSpec, captureFile } from './support/rtp-capture.js';

const STREAMS = numberOption('streams', 4);
const SECONDS = numberOption('seconds', 30);
const ROUNDS = numberOption('rounds', 3);
const LATENCY_MS = numberOption('latency', 200);
const WARM_UP_SECONDS = 4;
const PASSPHRASE = 'bench-contribution-secret';

/** A 4 Mbit/s constant-rate 720p capture, long enough for the warm-up and the window. */
const CAPTURE: CaptureSpec = {
  seconds: SECONDS + WARM_UP_SECONDS + 4,
  size: '1280x720',
  fps: 30,
  gop: 60,
  videoKbps: 3600,
  muxKbps: 4000,
  preset: 'ultrafast',
  zeroLatency: true,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** libsrt callers replaying the capture in real time (their latency is in microseconds). */
function startSenders(file: string, ports: number[]): ChildProcess[] {
  return ports.map((port) =>
    spawn(
      'ffmpeg',
      [
        '-v',
        'error',
        '-re',
        '-i',
        file,
        '-c',
        'copy',
        '-f',
        'mpegts',
        `srt://127.0.0.1:${port}?passphrase=${PASSPHRASE}&latency=${LATENCY_MS * 1000}&pkt_size=1316`,
      ],
      { stdio: 'ignore' },
    ),
  );
}

async function stopAll(children: ChildProcess[], signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  for (const c of children) c.kill(signal);
  const force = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), 3000);
  await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once('exit', r)))));
  clearTimeout(force);
}

/** CPU seconds used by these processes over the measured window, after the warm-up, per process. */
async function measure(pids: () => number[]): Promise<Map<number, number>> {
  await sleep(WARM_UP_SECONDS * 1000);
  const before = new Map(pids().map((pid) => [pid, cpuSeconds(pid)]));
  await sleep(SECONDS * 1000);
  return new Map(pids().map((pid) => [pid, cpuSeconds(pid) - (before.get(pid) ?? 0)]));
}

const total = (used: Map<number, number>) => [...used.values()].reduce((a, b) => a + b, 0);

const work = await mkdtemp(path.join(os.tmpdir(), 'hls-bench-contribution-'));
await chmod(work, 0o755);
process.chdir(REPO_ROOT);
const system = await startBenchSystem(work);
const api = system.api;
try {
  const file = captureFile(CAPTURE);
  const oursPorts = await freeUdpPortBlocks(STREAMS);
  for (const [i, port] of oursPorts.entries())
    await api('POST', '/api/v1/streams', {
      key: `srt-${i}`,
      ingest: { protocol: 'srt', port, srt: { passphrase: PASSPHRASE, latencyMs: LATENCY_MS } },
      packaging: { segmentSeconds: 2 },
    });
  await sleep(2000);
  const minutes = (SECONDS / 60) * STREAMS;
  console.log(
    `bench:contribution: SRT, ${STREAMS} streams x ${CAPTURE.muxKbps} kbit/s (${CAPTURE.size}@${CAPTURE.fps}), latency ${LATENCY_MS} ms, ${SECONDS} s windows after ${WARM_UP_SECONDS} s, ${ROUNDS} alternating rounds`,
  );
  const oursRuns: number[] = [];
  const ffmpegRuns: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // Ours: the control plane (ingest workers, packaging, API) and its srt-live-transmit children.
    const senders = startSenders(file, oursPorts);
    const oursUsed = await measure(() => [system.pid, ...childPids(system.pid)]);
    const oursCpu = total(oursUsed);
    const controlPlane = oursUsed.get(system.pid) ?? 0;
    await stopAll(senders);
    const received = (await Promise.all(oursPorts.map((_, i) => api('GET', `/api/v1/streams/srt-${i}/status`)))).map((s) => s.srt?.connections ?? 0);
    if (received.some((c) => c < round)) console.warn(`# a sender did not connect: connections ${received}`);
    await sleep(6000); // libsrt notices the senders gone (peer idle timeout) before the next round
    // ffmpeg: one SRT listener writing HLS per stream.
    const peerPorts = await freeUdpPortBlocks(STREAMS);
    const peers = peerPorts.map((port, i) =>
      startFfmpegHls(`srt://0.0.0.0:${port}?mode=listener&passphrase=${PASSPHRASE}&latency=${LATENCY_MS * 1000}`, path.join(work, 'ffmpeg', `${round}-${i}`), {
        segmentSeconds: 2,
      }),
    );
    await sleep(1000);
    const peerSenders = startSenders(file, peerPorts);
    const ffmpegCpu = total(await measure(() => peers.map((p) => p.pid!)));
    await stopAll(peerSenders);
    await stopAll(peers, 'SIGINT');
    oursRuns.push(oursCpu / minutes);
    ffmpegRuns.push(ffmpegCpu / minutes);
    console.log(
      `round ${round}: ours ${(oursCpu / minutes).toFixed(3)} CPU s per stream-minute (control plane ${(controlPlane / minutes).toFixed(3)}, ` +
        `srt-live-transmit ${((oursCpu - controlPlane) / minutes).toFixed(3)}), ffmpeg -c copy -f hls ${(ffmpegCpu / minutes).toFixed(3)}`,
    );
  }
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
  };
  const o = stats(oursRuns);
  const f = stats(ffmpegRuns);
  const fmt = (x: { min: number; median: number; max: number }) => `min ${x.min.toFixed(3)} median ${x.median.toFixed(3)} max ${x.max.toFixed(3)}`;
  console.log(`ours (control plane + srt-live-transmit): ${fmt(o)} CPU s per stream-minute`);
  console.log(`ffmpeg (srt listener, -c copy -f hls): ${fmt(f)} CPU s per stream-minute`);
  console.log('goal: ratio <= 1.0 for every protocol (SRT only so far; RTMP and RIST not built)');
  console.log(`summary: srt ours ${o.median.toFixed(3)} vs ffmpeg ${f.median.toFixed(3)} CPU s per stream-minute, ratio=${(o.median / f.median).toFixed(3)}`);
} finally {
  await system.stop();
  await rm(work, { recursive: true, force: true });
}
