import { ChildProcess, spawn } from 'node:child_process';
import { within } from './process.js';

export interface EncoderOptions {
  /** rtp: RTP/MPEG-TS, optionally with prompeg FEC; udp: bare MPEG-TS datagrams; srt: SRT caller (libsrt); rtmp: FLV publish as OBS does. */
  protocol: 'rtp' | 'udp' | 'srt' | 'rtmp' | 'rist';
  /** rist: the sender's buffer (how long it keeps packets to send again), ms. */
  ristBufferMs?: number;
  /** rtmp: the stream key and the stream name's query (`secret=...`), as OBS's stream key field holds them. */
  rtmpName?: string;
  /** srt: the stream's passphrase, and the sender's latency (ms). */
  passphrase?: string;
  latencyMs?: number;
  port: number;
  fec?: { columns: number; rows: number };
  seconds: number;
  bitrateKbps?: number;
}

/** Real ffmpeg sending a live test pattern with audio (testsrc2 + sine, H.264 + AAC) in real time. */
export function startEncoder(options: EncoderOptions): { child: ChildProcess; done: Promise<number | null>; stderr: () => string } {
  const output =
    options.protocol === 'rtp'
      ? ['-f', 'rtp_mpegts', ...(options.fec ? ['-fec', `prompeg=l=${options.fec.columns}:d=${options.fec.rows}`] : []), `rtp://127.0.0.1:${options.port}`]
      : options.protocol === 'srt'
        ? // ffmpeg's srt latency is in microseconds.
          ['-f', 'mpegts', `srt://127.0.0.1:${options.port}?pkt_size=1316&passphrase=${options.passphrase}&latency=${(options.latencyMs ?? 120) * 1000}`]
        : options.protocol === 'rtmp'
          ? ['-f', 'flv', `rtmp://127.0.0.1:${options.port}/live/${options.rtmpName}`]
          : options.protocol === 'rist'
            ? ['-f', 'mpegts', '-rist_profile', 'simple', '-buffer_size', String(options.ristBufferMs ?? 1000), `rist://127.0.0.1:${options.port}`]
            : ['-f', 'mpegts', `udp://127.0.0.1:${options.port}?pkt_size=1316`];
  const child = spawn(
    'ffmpeg',
    [
      '-v',
      'error',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=640x360:rate=25',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000',
      '-t',
      String(options.seconds),
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-tune',
      'zerolatency',
      '-g',
      '25',
      '-b:v',
      `${options.bitrateKbps ?? 1200}k`,
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-b:a',
      '96k',
      ...output,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  // Bounded: an encoder that hangs is killed and fails its test instead of stalling the run.
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const done = within(exit, (options.seconds + 60) * 1000, 'ffmpeg encoder exit', () => child.kill('SIGKILL'));
  return { child, done, stderr: () => stderr };
}
