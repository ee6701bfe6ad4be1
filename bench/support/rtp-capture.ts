// A recorded contribution feed for benchmarks: an MPEG-TS capture encoded once by ffmpeg (faster
// than real time, kept in the temp dir), cut into RTP packets with SMPTE 2022-1 FEC as ffmpeg's
// prompeg sends them, and replayed in real time. Replaying the same bytes makes runs comparable,
// which a live encoder competing for the same two cores is not.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { fecFor, mediaPacket } from '../../test/support/rtp-fixtures.js';

export interface CaptureSpec {
  seconds: number;
  /** WxH of the test pattern. */
  size: string;
  fps: number;
  /** Frames per GOP: segments and independent parts start only on its IDR frames. */
  gop: number;
  videoKbps: number;
  /** The constant rate the TS is muxed at, which is also the rate it is replayed at. */
  muxKbps: number;
  /** x264 preset, and zerolatency (no B-frames, no lookahead) as live encoders send. */
  preset: string;
  zeroLatency: boolean;
}

/** An FEC matrix: L columns by D rows (SMPTE 2022-1). */
export interface FecShape {
  columns: number;
  rows: number;
}

/** One UDP datagram of the replay. */
export interface Datagram {
  atMs: number;
  /** Port offset from the stream's base port: 0 media, 2 column FEC, 4 row FEC. */
  offset: number;
  bytes: Buffer;
}

/** TS bytes per RTP packet: seven 188-byte TS packets, as every RTP/MPEG-TS sender does. */
const PAYLOAD = 1316;

/** The capture's file (recorded now unless an identical one is kept from an earlier run). */
export function captureFile(spec: CaptureSpec): string {
  const dir = path.join(os.tmpdir(), 'hls-bench');
  mkdirSync(dir, { recursive: true });
  const id = createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 12);
  const file = path.join(dir, `capture-${spec.seconds}s-${spec.size}-${id}.ts`);
  if (existsSync(file)) return file;
  console.log(`recording a ${spec.seconds} s ${spec.size} capture with ffmpeg (once; kept as ${file})...`);
  const partial = `${file}.partial`;
  const result = spawnSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${spec.size}:rate=${spec.fps}`,
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-t',
    String(spec.seconds),
    '-c:v',
    'libx264',
    '-preset',
    spec.preset,
    ...(spec.zeroLatency ? ['-tune', 'zerolatency'] : []),
    '-pix_fmt',
    'yuv420p',
    '-b:v',
    `${spec.videoKbps}k`,
    '-maxrate',
    `${spec.videoKbps}k`,
    '-bufsize',
    `${Math.round(spec.videoKbps / 2)}k`,
    '-g',
    String(spec.gop),
    '-keyint_min',
    String(spec.gop),
    '-sc_threshold',
    '0',
    '-c:a',
    'aac',
    '-b:a',
    '96k',
    '-muxrate',
    `${spec.muxKbps}k`,
    '-f',
    'mpegts',
    partial,
  ]);
  if (result.status !== 0) throw new Error(`ffmpeg could not record the capture: ${result.stderr}`);
  renameSync(partial, file);
  return file;
}

export function readCapture(spec: CaptureSpec): Buffer {
  return readFileSync(captureFile(spec));
}

/**
 * The capture as RTP datagrams paced at its mux rate, with FEC timed as prompeg sends it (a row's
 * packet after its row, a column's spread over the next matrix); and the same TS as bare UDP
 * datagrams (for peers without RTP).
 */
export function rtpDatagrams(ts: Buffer, muxKbps: number, fec: FecShape): { rtp: Datagram[]; bare: Datagram[] } {
  const intervalMs = (PAYLOAD * 8) / muxKbps;
  const { columns: L, rows: D } = fec;
  const media: Uint8Array[] = [];
  for (let i = 0; (i + 1) * PAYLOAD <= ts.length; i++) {
    media.push(mediaPacket({ seq: i, timestamp: Math.round(i * intervalMs * 90), ssrc: 0x5eed, payload: ts.subarray(i * PAYLOAD, (i + 1) * PAYLOAD) }));
  }
  const { rows, columns } = fecFor(media, L, D);
  const rtp: Datagram[] = media.map((bytes, i) => ({ atMs: i * intervalMs, offset: 0, bytes: Buffer.from(bytes) }));
  rows.forEach((bytes, r) => rtp.push({ atMs: ((r + 1) * L - 0.5) * intervalMs, offset: 4, bytes: Buffer.from(bytes) }));
  columns.forEach((bytes, c) => rtp.push({ atMs: ((Math.floor(c / L) + 1) * L * D + (c % L) * D) * intervalMs, offset: 2, bytes: Buffer.from(bytes) }));
  rtp.sort((a, b) => a.atMs - b.atMs);
  const bare = media.map((bytes, i) => ({ atMs: i * intervalMs, offset: 0, bytes: Buffer.from(bytes.subarray(12)) }));
  return { rtp, bare };
}

/**
 * Sends the datagrams to every stream's base port (plus each datagram's offset), paced in real time;
 * resolves with the count sent. `onStart` gets the wall clock of datagram 0 (each datagram leaves at
 * that plus its atMs): the replay clock a receiver's timestamps can be checked against.
 */
export async function replay(datagrams: Datagram[], ports: number[], onStart?: (wallClockMs: number) => void): Promise<number> {
  const socket = dgram.createSocket('udp4');
  const start = performance.now();
  onStart?.(Date.now());
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

interface ReplayJob {
  file: string;
  muxKbps: number;
  fec: FecShape;
  ports: number[];
}

/**
 * The capture replayed as RTP with FEC on a worker thread, so the benchmark's own work (hundreds of
 * concurrent requests, a browser's protocol traffic) does not delay the packets. `stop` ends it
 * early; `done` resolves with the datagrams sent.
 */
export function replayInBackground(
  spec: CaptureSpec,
  fec: FecShape,
  ports: number[],
): { started: Promise<number>; done: Promise<number>; stop: () => Promise<void> } {
  const job: ReplayJob = { file: captureFile(spec), muxKbps: spec.muxKbps, fec, ports };
  const worker = new Worker(new URL(import.meta.url), { workerData: { replayJob: job } });
  const started = new Promise<number>((resolve, reject) => {
    worker.on('message', (m: ReplayMessage) => 'startedAt' in m && resolve(m.startedAt));
    worker.once('error', reject);
  });
  const done = new Promise<number>((resolve, reject) => {
    worker.on('message', (m: ReplayMessage) => 'sent' in m && resolve(m.sent));
    worker.once('error', reject);
    worker.once('exit', () => resolve(0));
  });
  return { started, done, stop: async () => void (await worker.terminate()) };
}

/** What the replay worker reports: when datagram 0 left (wall clock, ms), then how many were sent. */
type ReplayMessage = { startedAt: number } | { sent: number };

if (!isMainThread && (workerData as { replayJob?: ReplayJob } | null)?.replayJob) {
  const job = (workerData as { replayJob: ReplayJob }).replayJob;
  const { rtp } = rtpDatagrams(readFileSync(job.file), job.muxKbps, job.fec);
  const sent = await replay(rtp, job.ports, (startedAt) => parentPort!.postMessage({ startedAt } satisfies ReplayMessage));
  parentPort!.postMessage({ sent } satisfies ReplayMessage);
}
