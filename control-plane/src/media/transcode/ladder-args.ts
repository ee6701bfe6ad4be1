// ffmpeg's command line for an ABR ladder: the repaired MPEG-TS comes in on stdin, is decoded once,
// split and scaled per rung, and each rung leaves as MPEG-TS on its own pipe (fd 3, 4, ...) for our
// packager, which packages every rung exactly like the source.

/** One rung to encode (the source's passthrough rung is not transcoded, so not here). */
export interface TranscodeRung {
  name: string;
  width: number;
  height: number;
  videoKbps: number;
  frameRate?: number;
  /** libx264 preset: veryfast unless the rung asks otherwise. */
  preset?: string;
}

/** The first output pipe: 0-2 are stdin, stdout and stderr. */
export const FIRST_RUNG_FD = 3;

/**
 * Keyframes line up across rungs and with the source: an encoder makes one exactly where the source
 * has one (`-force_key_frames source`), and none of its own (no scene-cut keyframes, a GOP far
 * longer than any source's, closed GOPs), so every rung's segment N starts at the same PTS as the
 * source's. Audio is the source's, copied into every rung (encoded once, by the encoder upstream):
 * a TS rung carries its audio, and no rung pays for an AAC encoder. Timestamps are passed through
 * (`-copyts`, and `-mpegts_copyts` on each output), so a rung's PTS are the source's. `-progress` reports speed on stderr.
 */
export function transcoderArgs(rungs: TranscodeRung[]): string[] {
  if (rungs.length === 0) throw new Error('a ladder without rungs needs no transcoder');
  const outputs = rungs.flatMap((r, i) => [
    ...rungStreamArgs(r, i),
    // The TS muxer otherwise adds its own start offset (1.4 s) on top of -copyts.
    '-mpegts_copyts',
    '1',
    '-f',
    'mpegts',
    `pipe:${FIRST_RUNG_FD + i}`,
  ]);
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-nostats',
    '-progress',
    'pipe:2',
    '-f',
    'mpegts',
    '-copyts',
    '-i',
    'pipe:0',
    '-filter_complex',
    ladderFilter(rungs),
    ...outputs,
  ];
}

/**
 * Rung `i`'s streams for an output: its scaled video ([out<i>] of ladderFilter), encoded, and the
 * source's audio, copied (also what bench:abr gives ffmpeg's own HLS muxer, to compare like for like).
 */
export function rungStreamArgs(r: TranscodeRung, i: number): string[] {
  return ['-map', `[out${i}]`, '-map', '0:a?', ...rungEncoderArgs(r), '-c:a', 'copy'];
}

/** One rung's video encoder settings. */
function rungEncoderArgs(r: TranscodeRung): string[] {
  return [
    '-c:v',
    'libx264',
    '-preset',
    r.preset ?? 'veryfast',
    '-tune',
    'zerolatency',
    '-pix_fmt',
    'yuv420p',
    '-b:v',
    `${r.videoKbps}k`,
    '-maxrate',
    `${Math.round(r.videoKbps * 1.1)}k`,
    '-bufsize',
    `${r.videoKbps * 2}k`,
    // The source's 90 kHz clock, not 1/frame rate: x264 would round each PTS to its frame grid,
    // and a live feed's timestamps need not sit on it (measured: 18.7 ms off the source's).
    '-enc_time_base:v',
    '1:90000',
    // Frames keep their own timestamps: with a 90 kHz time base, a muxer ffmpeg treats as constant
    // frame rate (HLS) would get frames duplicated to fill it (MPEG-TS is variable-rate already).
    '-fps_mode:v',
    'vfr',
    '-force_key_frames',
    'source',
    '-sc_threshold',
    '0',
    '-g',
    '600',
    '-flags',
    '+cgop',
  ];
}

/** The filter graph: decode once, split, one scaler per rung; rung i leaves as [out<i>]. */
export function ladderFilter(rungs: TranscodeRung[]): string {
  const split = `[0:v:0]split=${rungs.length}${rungs.map((_, i) => `[in${i}]`).join('')}`;
  const scales = rungs.map((r, i) => `[in${i}]scale=${r.width}:${r.height}${r.frameRate ? `,fps=${r.frameRate}` : ''}[out${i}]`);
  return [split, ...scales].join(';');
}
