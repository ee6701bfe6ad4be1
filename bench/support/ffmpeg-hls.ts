import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * ffmpeg's own HLS muxer as a benchmark peer: `input` (a udp://, rtp://, srt:// or rtmp:// URL, `inputOptions` before it) copied without
 * re-encoding into TS segments of `segmentSeconds` under `dir` (index.m3u8, seg<N>.ts), the last six
 * listed, older ones deleted; with EXT-X-PROGRAM-DATE-TIME when asked.
 */
export function startFfmpegHls(
  input: string,
  dir: string,
  options: { segmentSeconds: number; programDateTime?: boolean; inputOptions?: string[] },
): ChildProcess & { readonly errors: string } {
  mkdirSync(dir, { recursive: true });
  const flags = options.programDateTime ? 'delete_segments+program_date_time' : 'delete_segments';
  const child = spawn(
    'ffmpeg',
    [
      '-v',
      'error',
      ...(options.inputOptions ?? []),
      '-i',
      input,
      '-c',
      'copy',
      '-f',
      'hls',
      '-hls_time',
      String(options.segmentSeconds),
      '-hls_list_size',
      '6',
      '-hls_flags',
      flags,
      '-hls_segment_filename',
      path.join(dir, 'seg%d.ts'),
      path.join(dir, 'index.m3u8'),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  // Its last words (-v error), for a bench that finds it gone: "bind failed" and the like.
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2000)));
  Object.defineProperty(child, 'errors', { get: () => errors });
  return child as ChildProcess & { readonly errors: string };
}
