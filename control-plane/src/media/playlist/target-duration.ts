/**
 * EXT-X-TARGETDURATION for a live stream, fixed for the playlist's life (RFC 8216bis 4.4.3.1,
 * 6.2.1): each EXTINF rounded to the nearest integer must not exceed it. Players hold back three
 * target durations (hls.js: liveSyncDurationCount 3), so every second of it is three of latency.
 *
 * Before the first segment is cut the segmenter works to a provisional ceiling with a second of
 * headroom (an encoder whose keyframes do not line up with segmentSeconds); the first segment cut
 * from keyframe to keyframe then fixes the target at its own rounded length (the encoder's GOP
 * as the stream actually cuts), never above the ceiling. The segmenter forces a cut before a
 * segment could round above the target.
 */
export function provisionalTargetDuration(segmentSeconds: number): number {
  return Math.ceil(segmentSeconds) + 1;
}

/** The target a first keyframe-to-keyframe segment of `seconds` fixes, within the provisional ceiling. */
export function targetFromFirstSegment(seconds: number, ceiling: number): number {
  return Math.min(ceiling, Math.max(1, Math.round(seconds)));
}
