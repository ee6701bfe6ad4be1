// Where the source's segments start, shared with the stream's ABR rungs so that every variant's
// segment starts at the same PTS with the same EXT-X-PROGRAM-DATE-TIME. Players switch variants by
// date-time (hls.js aligns playlists by PROGRAM-DATE-TIME when they carry it): a rung stamped with
// its own arrival time, a transcoding delay after the source, would place its segments hundreds of
// ms off, and a player switching to it would load a segment it already has and stall.
//
// The source (the lead) records each segment start as it cuts, and its date-time when the segment
// is out; a rung (a follower) cuts at a keyframe exactly where the source cut, and takes the
// source's date-time. Rungs lag the source (their input is the source's output, through ffmpeg),
// so the source has always been there first; where it has not (a rung ahead after a restart, a
// source without that record), a rung falls back to its own rule.
import { PTS_WRAP } from '../ts/timestamps.js';

/** Segment starts remembered: far more than a rung can lag behind the source. */
const KEPT = 64;

const key = (pts: number) => ((pts % PTS_WRAP) + PTS_WRAP) % PTS_WRAP;

export class SegmentTimeline {
  /** Start PTS (mod 2^33) -> program date-time in ms (NaN until the segment is out). */
  private readonly starts = new Map<number, number>();
  private latest = -1;

  /** The source started a segment at `pts`. */
  markStart(pts: number): void {
    const k = key(pts);
    if (!this.starts.has(k)) this.starts.set(k, NaN);
    this.latest = k;
    if (this.starts.size > KEPT) this.starts.delete(this.starts.keys().next().value!);
  }

  /** The source's segment starting at `pts` is stamped with this date-time. */
  setProgramDate(pts: number, programDateMs: number): void {
    const k = key(pts);
    if (this.starts.has(k)) this.starts.set(k, programDateMs);
  }

  /**
   * For a rung's keyframe at `pts`: whether the source started a segment there, or null when the
   * source has not got that far (or nothing is known), and the rung must decide by itself.
   */
  startsSegment(pts: number): boolean | null {
    if (this.latest < 0) return null;
    const k = key(pts);
    if (this.starts.has(k)) return true;
    // Wrap-aware "at or before the source's latest start".
    const behind = (this.latest - k + PTS_WRAP) % PTS_WRAP;
    return behind < PTS_WRAP / 2 ? false : null;
  }

  /** The source's date-time (ms) for the segment starting at `pts`, if it has one. */
  programDateAt(pts: number): number | null {
    const ms = this.starts.get(key(pts));
    return ms === undefined || Number.isNaN(ms) ? null : ms;
  }
}

/** How a packager takes part in its stream's timeline: the source leads, ABR rungs follow. */
export interface TimelineRole {
  shared: SegmentTimeline;
  lead: boolean;
}

/** A rung's keyframe at `pts`: whether the source cut there (null: not known, or not a rung). */
export function sourceCutAt(role: TimelineRole | undefined, pts: number): boolean | null {
  return role && !role.lead ? role.shared.startsSegment(pts) : null;
}

/** The source starts a segment at `pts` (nothing for a rung). */
export function recordStart(role: TimelineRole | undefined, pts: number): void {
  if (role?.lead) role.shared.markStart(pts);
}

/**
 * The date-time a segment starting at `pts` is stamped with, given the packager's own (`own`): the
 * lead records its own for the rungs; a follower takes the lead's where there is one.
 */
export function stampProgramDate(role: TimelineRole | undefined, pts: number, own: number): number {
  if (!role) return own;
  if (role.lead) {
    role.shared.setProgramDate(pts, own);
    return own;
  }
  return role.shared.programDateAt(pts) ?? own;
}
