import { spawnSync } from 'node:child_process';
import { type PackagerOptions, StreamPackager } from '../../control-plane/src/media/stream-packager.js';

/** Feeds a TS byte stream to a packager in datagram-sized chunks, as fast as it comes, with a virtual wall clock. */
export async function packageTs(
  root: string,
  key: string,
  ts: Buffer,
  options: Partial<Omit<PackagerOptions, 'mediaRoot' | 'key' | 'now'>> = {},
): Promise<StreamPackager> {
  let clock = Date.parse('2026-11-24T12:00:00Z');
  const packager = new StreamPackager({ segmentSeconds: 2, windowSegments: 100, ...options, mediaRoot: root, key, now: () => clock });
  await packager.open();
  for (let at = 0; at < ts.length; at += 1316) {
    packager.push(ts.subarray(at, Math.min(at + 1316, ts.length)));
    clock += 5;
  }
  packager.flush();
  await packager.output.drain();
  return packager;
}

/** H.264 + AAC test media as MPEG-TS from real ffmpeg (testsrc2 + sine), with a keyframe every `gop` frames. */
export function encodeTestTs(
  seconds: number,
  options: {
    gop?: number;
    size?: string;
    rate?: number;
    preset?: string;
    /** Extra output options (e.g. -an, -output_ts_offset). */ outputArgs?: string[];
  } = {},
): Buffer {
  const result = spawnSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=${options.size ?? '320x240'}:rate=${options.rate ?? 25}`,
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000',
      '-t',
      String(seconds),
      '-c:v',
      'libx264',
      '-preset',
      options.preset ?? 'ultrafast',
      '-g',
      String(options.gop ?? 25),
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-b:a',
      '64k',
      ...(options.outputArgs ?? []),
      '-f',
      'mpegts',
      '-',
    ],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  if (result.status !== 0) throw new Error(`ffmpeg failed: ${result.stderr}`);
  return result.stdout;
}

/** `ffmpeg -v error` decoding a file to null: the error output, empty when it decodes cleanly. */
export function decodeErrors(file: string): string {
  const result = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
  return result.status === 0 ? result.stderr.trim() : `exit ${result.status}: ${result.stderr}`;
}

export function probe(file: string): {
  streams: { codec_type: string; codec_name: string; profile?: string; width?: number; height?: number; level?: number }[];
  format: { duration: string };
} {
  const result = spawnSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ffprobe failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}
