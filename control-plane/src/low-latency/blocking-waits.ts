import { Injectable } from '@nestjs/common';
import { ApiError, ErrorCode } from '../common/api-error.js';
import type { PlaylistUpdate } from '../media/output/live-output.js';
import { judge, parseBlockingQuery } from './blocking-request.js';
import { PlaylistPositions } from './playlist-positions.js';

/** Blocked responses may be cached this many target durations; others half of one (8216bis Appendix B.1). */
const BLOCKING_CACHE_TARGET_DURATIONS = 6;
/** A request blocked this many target durations with nothing to return gets 503 (8216bis 6.2.5.2). */
const BLOCKING_TIMEOUT_TARGET_DURATIONS = 3;

/** What a playlist request may be answered with once its wait is over. */
export interface PlaylistAnswer {
  /** Cache-Control max-age of the answer, in seconds. */
  maxAge: number;
  /** The delta update (_HLS_skip) instead of the full playlist. */
  skip: boolean;
  /** Where the playlist had got to when the wait ended (null: not an LL-HLS stream here). */
  at: PlaylistUpdate | null;
}

/**
 * The waiting behind blocking reload, for whichever nginx asks (the origin's, or an edge's): a
 * request is judged against the playlist's position, refused (400: too far ahead or malformed,
 * the parameter named; 503: nothing after three target durations, or the stream stopped), or held
 * until the packager reports what it asks for.
 */
@Injectable()
export class BlockingWaits {
  constructor(private readonly positions: PlaylistPositions) {}

  async playlist(key: string, variant: string, query: Record<string, unknown>): Promise<PlaylistAnswer> {
    const at = this.positions.position(key, variant);
    // Not a low-latency stream here: directives are ignored and the playlist is served as it is.
    if (!at) return { maxAge: 1, skip: false, at: null };
    const request = parseBlockingQuery(query);
    const verdict = judge(request, at);
    if (verdict.kind === 'too-far') throw ApiError.invalidField(request.part !== null ? '_HLS_part' : '_HLS_msn', verdict.message);
    if (verdict.kind === 'now') return { maxAge: Math.max(1, Math.floor(at.targetDuration / 2)), skip: request.skip, at };
    await this.wait(key, variant, verdict.msn, verdict.part, at.targetDuration);
    return { maxAge: BLOCKING_CACHE_TARGET_DURATIONS * at.targetDuration, skip: request.skip, at: this.positions.position(key, variant) };
  }

  /** Only what a preload hint can name waits: the part after the newest, or the next segment's first. */
  async part(key: string, variant: string, msn: number, index: number): Promise<void> {
    const at = this.positions.position(key, variant);
    if (!at) return;
    const hinted = (msn === at.msn && index <= at.part + 1) || (msn === at.lastSegment + 1 && index === 0);
    if (hinted) await this.wait(key, variant, msn, index, at.targetDuration);
  }

  private async wait(key: string, variant: string, msn: number, part: number, targetDuration: number): Promise<void> {
    const outcome = await this.positions.waitFor(key, variant, msn, part, BLOCKING_TIMEOUT_TARGET_DURATIONS * targetDuration * 1000);
    if (outcome === 'gone') throw new ApiError(ErrorCode.Unavailable, `stream "${key}" stopped`);
    if (outcome === 'timeout') throw new ApiError(ErrorCode.Unavailable, `segment ${msn} part ${part} did not appear in time`);
  }
}
