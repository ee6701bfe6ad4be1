import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/public.decorator.js';
import { ApiError } from '../common/api-error.js';
import { SLUG_PATTERN } from '../common/slug.js';
import { LIVE_DIR, MEDIA_PLAYLIST } from '../media/hls-layout.js';
import { judge, parseBlockingQuery } from './blocking-request.js';
import { BLOCKING_PREFIX, LL_VERDICT } from './ll-routes.js';
import { PlaylistPositions } from './playlist-positions.js';

/** Blocked responses may be cached this many target durations; others half of one (8216bis Appendix B.1). */
const BLOCKING_CACHE_TARGET_DURATIONS = 6;
/** A request blocked this many target durations with nothing to return gets 503 (8216bis 6.2.5.2). */
const BLOCKING_TIMEOUT_TARGET_DURATIONS = 3;

const PART_FILE = /^seg(\d{1,15})\.(\d{1,6})\.m4s$/;

/**
 * The origin's nginx asks here (an auth_request subrequest carrying the viewer's request URI)
 * before it serves an LL-HLS request it cannot answer from disk alone: a playlist with _HLS_msn,
 * _HLS_part or _HLS_skip, or a part announced by a preload hint but not written yet. The answer
 * comes when the packager reports what the request waits for, as a status nginx acts on: 204 (serve
 * the file, with X-HLS-Max-Age for its Cache-Control), 401 (refused: too far ahead or malformed,
 * nginx answers 400), 403 (timed out or stopped, nginx answers 503). It never sends media or
 * playlist bytes, so it opens no way around nginx's token checks.
 */
@ApiExcludeController()
@Public()
@Controller(BLOCKING_PREFIX.slice(1))
export class BlockingController {
  constructor(private readonly positions: PlaylistPositions) {}

  @Get(`${LIVE_DIR}/:key/:variant/:file`)
  async answer(
    @Param('key') key: string,
    @Param('variant') variant: string,
    @Param('file') file: string,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const { status, maxAge, reason } = await this.verdict(key, variant, file, query);
    res.status(status);
    if (maxAge !== undefined) res.setHeader('X-HLS-Max-Age', String(maxAge));
    if (reason !== undefined) res.setHeader('X-HLS-Reason', reason.replace(/[^\x20-\x7e]/g, '?'));
    res.end();
  }

  private async verdict(
    key: string,
    variant: string,
    file: string,
    query: Record<string, unknown>,
  ): Promise<{ status: number; maxAge?: number; reason?: string }> {
    const at = SLUG_PATTERN.test(key) && SLUG_PATTERN.test(variant) ? this.positions.position(key, variant) : null;
    // Not a low-latency stream here: directives are ignored and the file is served as it is.
    if (!at) return { status: LL_VERDICT.serve };
    const timeoutMs = BLOCKING_TIMEOUT_TARGET_DURATIONS * at.targetDuration * 1000;
    const part = PART_FILE.exec(file);
    if (part) {
      const [msn, index] = [Number(part[1]), Number(part[2])];
      // Only what a preload hint can name: the part after the newest (or the next segment's first).
      const hinted = (msn === at.msn && index <= at.part + 1) || (msn === at.lastSegment + 1 && index === 0);
      // Anything else is served as it is: nginx answers 404 for a part that is not there.
      return hinted ? this.wait(key, variant, msn, index, timeoutMs, undefined) : { status: LL_VERDICT.serve };
    }
    if (file !== MEDIA_PLAYLIST) return { status: LL_VERDICT.serve };
    let request;
    try {
      request = parseBlockingQuery(query);
    } catch (error) {
      return { status: LL_VERDICT.refuse, reason: (error as ApiError).message };
    }
    const verdict = judge(request, at);
    if (verdict.kind === 'too-far') return { status: LL_VERDICT.refuse, reason: verdict.message };
    if (verdict.kind === 'now') return { status: LL_VERDICT.serve, maxAge: Math.max(1, Math.floor(at.targetDuration / 2)) };
    return this.wait(key, variant, verdict.msn, verdict.part, timeoutMs, BLOCKING_CACHE_TARGET_DURATIONS * at.targetDuration);
  }

  private async wait(
    key: string,
    variant: string,
    msn: number,
    part: number,
    timeoutMs: number,
    maxAge: number | undefined,
  ): Promise<{ status: number; maxAge?: number; reason?: string }> {
    const outcome = await this.positions.waitFor(key, variant, msn, part, timeoutMs);
    if (outcome === 'ready') return { status: LL_VERDICT.serve, maxAge };
    return { status: LL_VERDICT.unavailable, reason: outcome === 'gone' ? `stream "${key}" stopped` : `segment ${msn} part ${part} did not appear in time` };
  }
}
