// What a variant's output is handed (LL-HLS parts) and what it tells (segments written, playlist
// positions for blocking reload), shared by the output, the packagers and the ingest.

/** A segment on disk, as onSegment tells it. */
export interface WrittenSegment {
  mediaSequence: number;
  /** Absolute paths: the segment, and for fMP4 the init segment it plays with (null for MPEG-TS). */
  file: string;
  init: string | null;
  startPts: number;
  durationSeconds: number;
}

/** How far a playlist has got: the last media sequence number it lists and, with parts, the last part of it. */
export interface PlaylistPosition {
  msn: number;
  /** -1 without parts. */
  part: number;
}

/** What onPlaylist is told: the position, and what blocking requests are judged by. */
export interface PlaylistUpdate extends PlaylistPosition {
  /** The last complete segment's media sequence number (the one being cut is this + 1). */
  lastSegment: number;
  targetDuration: number;
  partTarget: number;
  /** The newest part's file name (what players fetch right after this update), or null. */
  partUri: string | null;
}

/** An LL-HLS part as the CMAF segmenter hands it over. */
export interface OutputPart {
  bytes: Uint8Array;
  durationSeconds: number;
  independent: boolean;
  /** The part target in use (whole frames). */
  partTargetSeconds: number;
  /** The first part of a segment carries the segment's start. */
  segmentStart?: { programDateTime: Date; discontinuity: boolean; startPts: number };
}
