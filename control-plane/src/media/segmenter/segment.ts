/** A finished media segment, ready for a container writer and the playlist. */
export interface FinishedSegment {
  /** The segment's bytes (MPEG-TS: starts with PAT, PMT and a keyframe). */
  bytes: Uint8Array;
  durationSeconds: number;
  /** Wall-clock time of the segment's first sample (EXT-X-PROGRAM-DATE-TIME). */
  programDateTime: Date;
  /** The timeline broke before this segment (EXT-X-DISCONTINUITY). */
  discontinuity: boolean;
  /** False when the encoder's keyframe interval forced a cut without a keyframe. */
  startsWithKeyframe: boolean;
  /** The EXT-X-TARGETDURATION the segmenter cuts to (fixed by the stream's first regular segment). */
  targetDuration: number;
  /**
   * PTS (90 kHz, unwrapped) of the segment's first frame: an ABR rung's segment and the source's
   * that start with the same frame have the same one (the quality probe pairs them by it).
   */
  startPts: number;
}

/** What the segmenter knows about the stream's format, for the multivariant playlist. */
export interface StreamFormat {
  videoCodecs: string | null;
  audioCodecs: string | null;
  width: number | null;
  height: number | null;
  frameRate: number | null;
}

/**
 * The container side of segmenting, kept behind this interface: MPEG-TS now; fMP4/CMAF segments
 * and LL-HLS parts will implement it too (players do not play TS parts).
 */
export interface ContainerWriter {
  /** File extension of the segments, without the dot. */
  readonly extension: string;
  /** Bytes that begin every segment before the media (TS: PAT and PMT; fMP4: nothing, init is separate). */
  segmentPrefix(): Uint8Array;
  /** Prepares a copied PSI packet for output (TS: renumber its continuity counter in place). */
  prepare(packet: Uint8Array, kind: 'pat' | 'pmt'): Uint8Array;
}
