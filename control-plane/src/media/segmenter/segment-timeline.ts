// Where the source's segments start, shared with the stream's ABR rungs so that every variant's
// segment starts at the same PTS with the same EXT-X-PROGRAM-DATE-TIME. Players switch variants by
// date-time (hls.js aligns playlists by PROGRAM-DATE-TIME when they carry it): a rung stamped with
// its own arrival time, a transcoding delay after the source, would place its segments hundreds of
// ms off, and a player switching to it would load a segment it already has and stall.
//
// The source (the lead) records each segment start as it cuts, and its date-time, media sequence
// number and duration as its output lists it; a rung (a follower) cuts at a keyframe exactly where
// the source cut, takes the source's date-time, and numbers its segment as the source did (so
// segment N is the same picture span in every variant, and rendition reports' LAST-MSN agree). Rungs lag the source (their input is the source's output, through ffmpeg),
// so the source has always been there first; where it has not (a rung ahead after a restart, a
// source without that record), a rung falls back to its own rule.
import { PTS_WRAP } from '../ts/timestamps.js';

/** Segment starts remembered: far more than a rung can lag behind the source. */
const KEPT = 64;

const key = (pts: number) => ((pts % PTS_WRAP) + PTS_WRAP) % PTS_WRAP;

/** What the source's output made of a segment start (each NaN until known). */
interface SourceSegment {
  programDateMs: number;
  mediaSequence: number;
  durationSeconds: number;
}

/** A source segment a rung has no segment for, as its playlist lists it (EXT-X-GAP). */
export interface MissedSegment {
  mediaSequence: number;
  programDateMs: number;
  durationSeconds: number;
}

export class SegmentTimeline {
  /** Start PTS (mod 2^33) -> what the source made of it. */
  private readonly starts = new Map<number, SourceSegment>();
  private latest = -1;

  /** The source started a segment at `pts`. */
  markStart(pts: number): void {
    const k = key(pts);
    if (!this.starts.has(k)) this.starts.set(k, { programDateMs: NaN, mediaSequence: NaN, durationSeconds: NaN });
    this.latest = k;
    if (this.starts.size > KEPT) this.starts.delete(this.starts.keys().next().value!);
  }

  /** The source's segment starting at `pts` is stamped with this date-time. */
  setProgramDate(pts: number, programDateMs: number): void {
    const entry = this.starts.get(key(pts));
    if (entry) entry.programDateMs = programDateMs;
  }

  /** The source's output numbered its segment starting at `pts` (and, once it is whole, its duration). */
  setSequence(pts: number, mediaSequence: number, durationSeconds = NaN): void {
    const entry = this.starts.get(key(pts));
    if (!entry) return;
    entry.mediaSequence = mediaSequence;
    if (!Number.isNaN(durationSeconds)) entry.durationSeconds = durationSeconds;
  }

  /** The source's media sequence number for the segment starting at `pts`, if it has one. */
  sequenceAt(pts: number): number | null {
    const n = this.starts.get(key(pts))?.mediaSequence;
    return n === undefined || Number.isNaN(n) ? null : n;
  }

  /**
   * The source's segments numbered `from` up to (not including) `to`, for a rung that has none of
   * them; null unless every one is remembered whole (then the rung numbers on by itself).
   */
  missedBetween(from: number, to: number): MissedSegment[] | null {
    if (to - from > KEPT) return null;
    const bySequence = new Map<number, SourceSegment>();
    for (const entry of this.starts.values()) bySequence.set(entry.mediaSequence, entry);
    const missed: MissedSegment[] = [];
    for (let n = from; n < to; n++) {
      const entry = bySequence.get(n);
      if (!entry || Number.isNaN(entry.durationSeconds) || Number.isNaN(entry.programDateMs)) return null;
      missed.push({ mediaSequence: n, programDateMs: entry.programDateMs, durationSeconds: entry.durationSeconds });
    }
    return missed;
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
    const ms = this.starts.get(key(pts))?.programDateMs;
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

/** The source's output numbered its segment starting at `pts` (nothing for a rung). */
export function recordSequence(role: TimelineRole | undefined, pts: number, mediaSequence: number, durationSeconds = NaN): void {
  if (role?.lead) role.shared.setSequence(pts, mediaSequence, durationSeconds);
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

/**
 * How a rung numbers the segment starting at `pts` when its next number is `next`: the source's
 * number for it (`startAt`, a fresh playlist starts there; `gaps`, the source's segments between
 * that a playlist with segments lists as EXT-X-GAP), or null to number on by itself (not a rung,
 * the source's number unknown or not ahead, or what was missed forgotten).
 */
export function followSourceNumber(role: TimelineRole | undefined, pts: number, next: number): { startAt: number; gaps: MissedSegment[] } | null {
  if (!role || role.lead) return null;
  const target = role.shared.sequenceAt(pts);
  if (target === null || target <= next) return null;
  return { startAt: target, gaps: role.shared.missedBetween(next, target) ?? [] };
}
