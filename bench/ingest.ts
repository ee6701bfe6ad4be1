// npm run bench:ingest [-- --streams 20 --seconds 30]
// N concurrent 4 Mbit/s streams replayed from a recorded capture (RTP/MPEG-TS with SMPTE 2022-1
// 5x10 FEC) into this system's ingest, then the same N streams as bare MPEG-TS into N
// `ffmpeg -i udp://... -c copy -f hls` processes (which do no FEC), in one run. Prints CPU seconds
// per stream-minute for both, the packets lost inside our ingest, and a last line with
// ratio=<ours/ffmpeg CPU per stream>.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freeUdpPortBlocks } from '../test/support/ports.js';
import { REPO_ROOT } from '../test/support/process.js';
import { startBenchSystem } from './support/bench-system.js';
import { cpuSeconds } from './support/cpu.js';
import { startFfmpegHls } from './support/ffmpeg-hls.js';
import { numberOption } from './support/options.js';
import { CaptureSpec, Datagram, readCapture, replay, rtpDatagrams } from './support/rtp-capture.js';

const STREAMS = numberOption('streams', 20);
const SECONDS = numberOption('seconds', 30);
const BITRATE = 4_000_000;
const L = 5;
const D = 10;

/** A 4 Mbit/s constant-rate 720p capture (as bench:ingest has always used). */
const CAPTURE: CaptureSpec = {
  seconds: SECONDS,
  size: '1280x720',
  fps: 30,
  gop: 60,
  videoKbps: 3600,
  muxKbps: BITRATE / 1000,
  preset: 'ultrafast',
  zeroLatency: false,
};

async function ours(rtp: Datagram[], work: string): Promise<{ cpu: number; lost: number; received: number; sent: number; recovered: number }> {
  const system = await startBenchSystem(work);
  const api = system.api;
  try {
    const ports = await freeUdpPortBlocks(STREAMS);
    for (const [i, port] of ports.entries())
      await api('POST', '/api/v1/streams', { key: `bench-${i}`, ingest: { protocol: 'rtp', port, fec: { columns: L, rows: D } } });
    await new Promise((r) => setTimeout(r, 1500));
    const before = cpuSeconds(system.pid);
    const sent = await replay(rtp, ports);
    const cpu = cpuSeconds(system.pid) - before;
    await new Promise((r) => setTimeout(r, 1000));
    let received = 0;
    let unrecoverable = 0;
    let recovered = 0;
    for (let i = 0; i < STREAMS; i++) {
      const s = await api('GET', `/api/v1/streams/bench-${i}/status`);
      received += s.datagramsReceived;
      unrecoverable += s.unrecoverable;
      recovered += s.recoveredByFec;
    }
    return { cpu, lost: sent - received + unrecoverable, received, sent, recovered };
  } finally {
    await system.stop();
  }
}

async function ffmpegPeers(bare: Datagram[], work: string): Promise<{ cpu: number }> {
  const ports = await freeUdpPortBlocks(STREAMS);
  const peers = ports.map((port, i) =>
    startFfmpegHls(`udp://127.0.0.1:${port}?fifo_size=1000000&overrun_nonfatal=1`, path.join(work, 'ffmpeg', String(i)), { segmentSeconds: 4 }),
  );
  await new Promise((r) => setTimeout(r, 1500));
  const before = peers.reduce((sum, p) => sum + cpuSeconds(p.pid!), 0);
  await replay(bare, ports);
  const cpu = peers.reduce((sum, p) => sum + cpuSeconds(p.pid!), 0) - before;
  for (const p of peers) p.kill('SIGINT');
  const force = setTimeout(() => peers.forEach((p) => p.kill('SIGKILL')), 3000);
  await Promise.all(peers.map((p) => (p.exitCode !== null ? null : new Promise((r) => p.on('exit', r)))));
  clearTimeout(force);
  return { cpu };
}

const work = await mkdtemp(path.join(os.tmpdir(), 'hls-bench-ingest-'));
await chmod(work, 0o755);
try {
  process.chdir(REPO_ROOT);
  const { rtp, bare } = rtpDatagrams(readCapture(CAPTURE), CAPTURE.muxKbps, { columns: L, rows: D });
  const minutes = (bare[bare.length - 1].atMs / 1000 / 60) * STREAMS;
  console.log(
    `ingest benchmark: ${STREAMS} streams x ${BITRATE / 1e6} Mbit/s for ${SECONDS} s; ours with FEC ${L}x${D} (${rtp.length} datagrams per stream), ffmpeg without FEC (${bare.length})`,
  );
  const a = await ours(rtp, work);
  const b = await ffmpegPeers(bare, work);
  const oursPerMinute = a.cpu / minutes;
  const ffmpegPerMinute = b.cpu / minutes;
  console.log(
    `ours:   ${a.cpu.toFixed(2)} CPU s in total, ${oursPerMinute.toFixed(3)} CPU s per stream-minute; sent ${a.sent}, received ${a.received}, repaired ${a.recovered}, lost inside our ingest ${a.lost}`,
  );
  console.log(`ffmpeg: ${b.cpu.toFixed(2)} CPU s in total, ${ffmpegPerMinute.toFixed(3)} CPU s per stream-minute (-c copy -f hls, no FEC)`);
  console.log(
    `summary: ${STREAMS} streams, ours ${oursPerMinute.toFixed(3)} vs ffmpeg ${ffmpegPerMinute.toFixed(3)} CPU s per stream-minute, lost=${a.lost}, ratio=${(oursPerMinute / ffmpegPerMinute).toFixed(2)}`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
