import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/public.decorator.js';
import { ApiError, ErrorCode } from '../common/api-error.js';
import { SLUG_PATTERN } from '../common/slug.js';
import { DELTA_PLAYLIST, LIVE_DIR, MEDIA_PLAYLIST, PART_FILE_SOURCE } from '../media/hls-layout.js';
import { judge, parseBlockingQuery } from './blocking-request.js';
import { BLOCKING_PREFIX, partRedirect, playlistRedirect } from './ll-routes.js';
import { PlaylistPositions } from './playlist-positions.js';

/** Blocked responses may be cached this many target durations; others half of one (8216bis Appendix B.1). */
const BLOCKING_CACHE_TARGET_DURATIONS = 6;
/** A request blocked this many target durations with nothing to return gets 503 (8216bis 6.2.5.2). */
const BLOCKING_TIMEOUT_TARGET_DURATIONS = 3;

const PART_FILE = new RegExp(`^${PART_FILE_SOURCE}$`);

/**
 * LL-HLS requests the origin's nginx cannot answer from disk alone: a variant playlist with
 * _HLS_msn, _HLS_part or _HLS_skip, or a part a preload hint announced before it was written. Each
 * is held until the packager reports what it waits for, then answered with an X-Accel-Redirect
 * (ll-routes.ts): nginx serves the file. Refusals are answered here, in the API's error shape:
 * 400 (too far ahead, or malformed, the parameter named) and 503 (nothing after three target
 * durations, or the stream stopped). Meant for the origin's nginx only; it returns no playlist or media bytes to anyone.
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
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    if (!SLUG_PATTERN.test(key) || !SLUG_PATTERN.test(variant)) throw ApiError.notFound('stream', key);
    const variantPath = `/${LIVE_DIR}/${key}/${variant}`;
    // The viewer's own parameters (a token) go with the redirect; the directives have been answered.
    const rest = viewerQuery(req.originalUrl);
    const part = PART_FILE.exec(file);
    if (part) {
      await this.waitForPart(key, variant, Number(part[1]), Number(part[2]));
      res.setHeader('X-Accel-Redirect', partRedirect(variantPath, file, rest));
      res.status(200).end();
      return;
    }
    if (file !== MEDIA_PLAYLIST) throw ApiError.notFound('file', file);
    const { maxAge, skip } = await this.waitForPlaylist(key, variant, query);
    res.setHeader('X-Accel-Redirect', playlistRedirect(variantPath, maxAge, skip ? DELTA_PLAYLIST : MEDIA_PLAYLIST, rest));
    res.status(200).end();
  }

  private async waitForPlaylist(key: string, variant: string, query: Record<string, unknown>): Promise<{ maxAge: number; skip: boolean }> {
    const at = this.positions.position(key, variant);
    // Not a low-latency stream here: directives are ignored and the playlist is served as it is.
    if (!at) return { maxAge: 1, skip: false };
    const request = parseBlockingQuery(query);
    const verdict = judge(request, at);
    if (verdict.kind === 'too-far') throw ApiError.invalidField(request.part !== null ? '_HLS_part' : '_HLS_msn', verdict.message);
    if (verdict.kind === 'now') return { maxAge: Math.max(1, Math.floor(at.targetDuration / 2)), skip: request.skip };
    await this.wait(key, variant, verdict.msn, verdict.part, at.targetDuration);
    return { maxAge: BLOCKING_CACHE_TARGET_DURATIONS * at.targetDuration, skip: request.skip };
  }

  /** Only what a preload hint can name waits: the part after the newest, or the next segment's first. */
  private async waitForPart(key: string, variant: string, msn: number, index: number): Promise<void> {
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

/** The query string without the LL-HLS directives (and CMCD, which the edge logged already). */
export function viewerQuery(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return '';
  const kept = url
    .slice(at + 1)
    .split('&')
    .filter((pair) => pair !== '' && !/^(_HLS_|CMCD=)/.test(pair));
  return kept.length ? `?${kept.join('&')}` : '';
}
