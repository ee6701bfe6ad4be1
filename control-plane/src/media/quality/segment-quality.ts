// Scores one ABR rung's segment against the source's segment that starts with the same frame, with
// ffmpeg's SSIM and PSNR filters: the rung is scaled up to the source's size (bicubic), the way a
// player shows it full screen, and compared frame by frame. Run at the lowest CPU priority on one
// thread: it is a sample taken about once a minute, never worth a frame of the live path.
import { spawn } from 'node:child_process';
import os from 'node:os';
import type { WrittenSegment } from '../output/live-output.js';

export interface QualityScore {
  /** SSIM over all planes (ffmpeg's "All"), 0..1; 1 is identical. */
  ssim: number;
  /** Mean PSNR over the planes in dB; null when the frames are identical (infinite). */
  psnr: number | null;
}

export interface ScoreRequest {
  /** The rung's segment (the distorted picture). */
  rung: Pick<WrittenSegment, 'file' | 'init'>;
  /** The source's segment with the same first frame (the reference). */
  source: Pick<WrittenSegment, 'file' | 'init'>;
  /** The source's picture size, which the rung is scaled up to. */
  width: number;
  height: number;
  binary?: string;
}

/** A scoring run that takes longer is stopped: a 2-6 s segment takes well under a second here. */
const SCORE_TIMEOUT_MS = 30_000;
const STDERR_KEPT = 4000;

/** ffmpeg's input for a segment: fMP4 media segments play after their init segment (the concat protocol joins the bytes). */
function input(segment: Pick<WrittenSegment, 'file' | 'init'>): string {
  return segment.init ? `concat:${segment.init}|${segment.file}` : segment.file;
}

export function scoreArgs(request: ScoreRequest): string[] {
  const graph =
    `[0:v]scale=${request.width}:${request.height}:flags=bicubic,split[d1][d2];[1:v]split[r1][r2];` +
    // shortest: a rung cut a frame shorter than the source is compared on the frames both have.
    '[d1][r1]ssim=shortest=1[ssim];[d2][r2]psnr=shortest=1[psnr]';
  return [
    '-hide_banner',
    '-nostdin',
    '-threads',
    '1',
    '-filter_threads',
    '1',
    '-i',
    input(request.rung),
    '-i',
    input(request.source),
    '-filter_complex',
    graph,
    '-map',
    '[ssim]',
    '-f',
    'null',
    '-',
    '-map',
    '[psnr]',
    '-f',
    'null',
    '-',
  ];
}

/** The summary lines the filters print when they end; null if either is missing. */
export function parseScores(stderr: string): QualityScore | null {
  const ssim = /\bSSIM .*\bAll:([\d.]+)/.exec(stderr);
  const psnr = /\bPSNR .*\baverage:(inf|[\d.]+)/.exec(stderr);
  if (!ssim || !psnr) return null;
  return { ssim: Number(ssim[1]), psnr: psnr[1] === 'inf' ? null : Number(psnr[1]) };
}

export function scoreSegment(request: ScoreRequest): Promise<QualityScore> {
  return new Promise((resolve, reject) => {
    const child = spawn(request.binary ?? 'ffmpeg', scoreArgs(request), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), SCORE_TIMEOUT_MS);
    child.once('spawn', () => {
      try {
        os.setPriority(child.pid!, 19);
      } catch {
        // Gone already, or not allowed: it is scored all the same.
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => (stderr = (stderr + text).slice(-STDERR_KEPT)));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ffmpeg to score quality: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const scores = code === 0 ? parseScores(stderr) : null;
      if (scores) resolve(scores);
      else {
        const last = stderr.trim().split('\n').slice(-2).join(' | ');
        reject(new Error(`quality scoring failed (ffmpeg ${signal ?? code}): ${last}`));
      }
    });
  });
}
