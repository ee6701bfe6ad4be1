/**
 * EXT-X-TARGETDURATION for a live stream, fixed for the playlist's life (RFC 8216bis 4.4.3.1,
 * 6.2.1): each EXTINF rounded to the nearest integer must not exceed it. Segments are cut at the
 * first keyframe after segmentSeconds, so one extra second of headroom absorbs an encoder whose
 * keyframes do not line up exactly; the segmenter forces a cut before a segment could round above it.
 */
export function targetDurationFor(segmentSeconds: number): number {
  return Math.ceil(segmentSeconds) + 1;
}
