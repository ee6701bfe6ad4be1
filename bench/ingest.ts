// npm run bench:ingest [-- --streams 20 --seconds 30]
// N concurrent 4 Mbit/s streams replayed from a recorded capture (RTP/MPEG-TS with SMPTE 2022-1
// 5x10 FEC) into this system's ingest, then the same N streams as bare MPEG-TS into N
// `ffmpeg -i udp://... -c copy -f hls` processes (which do no FEC), in one run. Prints CPU seconds
// per stream-minute for both, the packets lost inside our ingest, and a last line with
// ratio=<ours/ffmpeg CPU per stream>.
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freeLoopbackPort, startEmbeddedPostgres } from '../control-plane/src/database/embedded-postgres.js';
import { fecFor, mediaPacket } from '../test/support/rtp-fixtures.js';
import { freeUdpPortBlock } from '../test/support/ports.js';
import { REPO_ROOT, startProcess } from '../test/support/process.js';
import { cpuSeconds } from './support/cpu.js';
import { numberOption } from './support/options.js';

const STREAMS = numberOption('streams', 20);
const SECONDS = numberOption('seconds', 30);
const BITRATE = 4_000_000;
const L = 5;
const D = 10;
const PAYLOAD = 1316;
const INTERVAL_MS = (PAYLOAD * 8 * 1000) / BITRATE;

/** A 4 Mbit/s constant-rate MPEG-TS capture, encoded once and kept in the temp dir. */
function capture(): Buffer {
  const dir = path.join(os.tmpdir(), 'hls-bench');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `capture-${SECONDS}s.ts`);
  if (!existsSync(file)) {
    console.log(`recording a ${SECONDS} s 720p 4 Mbit/s capture with ffmpeg (once)...`);
    const result = spawnSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=1280x720:rate=30',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000',
      '-t',
      String(SECONDS),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-b:v',
      '3600k',
      '-maxrate',
      '3600k',
      '-bufsize',
      '1800k',
      '-g',
      '60',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-muxrate',
      String(BITRATE),
      '-f',
      'mpegts',
      file,
    ]);
    if (result.status !== 0) throw new Error(`ffmpeg failed: ${result.stderr}`);
  }
  return readFileSync(file);
}

interface Datagram {
  atMs: number;
  offset: number; // port offset: 0 media, 2 column FEC, 4 row FEC
  bytes: Buffer;
}

/** RTP packetisation with prompeg-like FEC timing: rows after the row, columns spread over the next matrix. */
function rtpDatagrams(ts: Buffer): { rtp: Datagram[]; bare: Datagram[] } {
  const media: Uint8Array[] = [];
  for (let i = 0; (i + 1) * PAYLOAD <= ts.length; i++) {
    media.push(mediaPacket({ seq: i, timestamp: Math.round(i * INTERVAL_MS * 90), ssrc: 0x5eed, payload: ts.subarray(i * PAYLOAD, (i + 1) * PAYLOAD) }));
  }
  const { rows, columns } = fecFor(media, L, D);
  const rtp: Datagram[] = media.map((bytes, i) => ({ atMs: i * INTERVAL_MS, offset: 0, bytes: Buffer.from(bytes) }));
  rows.forEach((bytes, r) => rtp.push({ atMs: ((r + 1) * L - 0.5) * INTERVAL_MS, offset: 4, bytes: Buffer.from(bytes) }));
  columns.forEach((bytes, c) => rtp.push({ atMs: ((Math.floor(c / L) + 1) * L * D + (c % L) * D) * INTERVAL_MS, offset: 2, bytes: Buffer.from(bytes) }));
  rtp.sort((a, b) => a.atMs - b.atMs);
  const bare = media.map((bytes, i) => ({ atMs: i * INTERVAL_MS, offset: 0, bytes: Buffer.from(bytes.subarray(12)) }));
  return { rtp, bare };
}

/** Sends the datagrams to every stream's base port, paced in real time. */
async function replay(datagrams: Datagram[], ports: number[]): Promise<number> {
  const socket = dgram.createSocket('udp4');
  const start = performance.now();
  let next = 0;
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now() - start;
      while (next < datagrams.length && datagrams[next].atMs <= now) {
        const d = datagrams[next++];
        for (const port of ports) socket.send(d.bytes, port + d.offset, '127.0.0.1');
        sent += ports.length;
      }
      if (next >= datagrams.length) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
  await new Promise((r) => setTimeout(r, 500));
  socket.close();
  return sent;
}

/** One free block of UDP ports per stream (media, +2, +4). */
async function portBlocks(): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < STREAMS) {
    const port = await freeUdpPortBlock();
    if (!ports.some((p) => Math.abs(p - port) < 6)) ports.push(port);
  }
  return ports;
}

async function ours(rtp: Datagram[], work: string): Promise<{ cpu: number; lost: number; received: number; sent: number; recovered: number }> {
  const pgDir = path.join(work, 'pg-data');
  mkdirSync(pgDir, { recursive: true });
  await chmod(pgDir, 0o755);
  const db = await startEmbeddedPostgres(pgDir, { log: () => undefined, warn: (m) => console.error(m) });
  const apiPort = await freeLoopbackPort();
  const system = startProcess(process.execPath, ['dist/control-plane/src/main.js'], {
    ...process.env,
    DATABASE_URL: db.url,
    HLS_ADMIN_TOKEN: 'bench',
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    HLS_HTTP_PORT: String(await freeLoopbackPort()),
    DATA_DIR: path.join(work, 'cp'),
    MEDIA_ROOT: path.join(work, 'cp', 'media'),
  });
  try {
    await system.waitFor(/ready; Ctrl-C stops everything/, 60_000);
    const api = (method: string, route: string, body?: unknown) =>
      fetch(`http://127.0.0.1:${apiPort}${route}`, {
        method,
        headers: { Authorization: 'Bearer bench', 'Content-Type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      }).then((r) => r.json());
    const ports = await portBlocks();
    for (const [i, port] of ports.entries())
      await api('POST', '/api/v1/streams', { key: `bench-${i}`, ingest: { protocol: 'rtp', port, fec: { columns: L, rows: D } } });
    await new Promise((r) => setTimeout(r, 1500));
    const before = cpuSeconds(system.child.pid!);
    const sent = await replay(rtp, ports);
    const cpu = cpuSeconds(system.child.pid!) - before;
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
    system.child.kill('SIGTERM');
    await system.exited;
    await db.stop();
  }
}

async function ffmpegPeers(bare: Datagram[], work: string): Promise<{ cpu: number }> {
  const ports = await portBlocks();
  const peers = ports.map((port, i) => {
    const dir = path.join(work, 'ffmpeg', String(i));
    mkdirSync(dir, { recursive: true });
    return spawn(
      'ffmpeg',
      [
        '-v',
        'error',
        '-i',
        `udp://127.0.0.1:${port}?fifo_size=1000000&overrun_nonfatal=1`,
        '-c',
        'copy',
        '-f',
        'hls',
        '-hls_time',
        '4',
        '-hls_list_size',
        '6',
        '-hls_flags',
        'delete_segments',
        path.join(dir, 'index.m3u8'),
      ],
      { stdio: 'ignore' },
    );
  });
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
  const { rtp, bare } = rtpDatagrams(capture());
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
