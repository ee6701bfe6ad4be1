/**
 * EXT-X-TARGETDURATION for a live stream, fixed for the playlist's life (RFC 8216bis 4.4.3.1,
 * 6.2.1): each EXTINF rounded to the nearest integer must not exceed it. Segments are cut at the
 * first keyframe after segmentSeconds, so one extra second of headroom absorbs an encoder whose
 * keyframes do not line up exactly; the segmenter forces a cut before a segment could round above it.
 */
export function targetDurationFor(segmentSeconds: number): number {
  return Math.ceil(segmentSeconds) + 1;
}

/** The rounding the rule uses: to the nearest integer, halves up (6.5 s rounds to 7). */
export function roundedDuration(seconds: number): number {
  return Math.floor(seconds + 0.5);
}
