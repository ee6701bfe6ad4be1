import { Injectable, Logger, NestMiddleware } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiError } from '../common/api-error.js';
import { runPlain } from '../common/plain-handler.js';
import { DELTA_PLAYLIST, MEDIA_PLAYLIST, PART_FILE_SOURCE } from '../media/hls-layout.js';
import { BlockingWaits } from './blocking-waits.js';
import { BLOCKING_PREFIX, partRedirect, playlistRedirect, heldRequestOf, viewerQuery } from './ll-routes.js';

const PART_FILE = new RegExp(`^${PART_FILE_SOURCE}$`);

/**
 * LL-HLS requests the origin's nginx cannot answer from disk alone: a variant playlist with
 * _HLS_msn, _HLS_part or _HLS_skip, or a part a preload hint announced before it was written. Each
 * is held until the packager reports what it waits for, then answered with an X-Accel-Redirect
 * (ll-routes.ts): nginx serves the file. Refusals are answered here, in the API's error shape:
 * 400 (too far ahead, or malformed, the parameter named) and 503 (nothing after three target
 * durations, or the stream stopped). Meant for the origin's nginx only; it returns no playlist or
 * media bytes to anyone. Middleware, not a controller: one request per held viewer (plain-handler.ts).
 */
@Injectable()
export class BlockingMiddleware implements NestMiddleware {
  private readonly logger = new Logger('ll-blocking');

  constructor(private readonly waits: BlockingWaits) {}

  use(req: Request, res: Response): void {
    runPlain(req, res, this.logger, (q, s) => this.answer(q, s));
  }

  private async answer(req: Request, res: Response): Promise<void> {
    const { key, variant, file, variantPath } = heldRequestOf(req.originalUrl, BLOCKING_PREFIX);
    // The viewer's own parameters (a token) go with the redirect; the directives have been answered.
    const rest = viewerQuery(req.originalUrl);
    const part = PART_FILE.exec(file);
    if (part) {
      await this.waits.part(key, variant, Number(part[1]), Number(part[2]));
      res.setHeader('X-Accel-Redirect', partRedirect(variantPath, file, rest));
      res.status(200).end();
      return;
    }
    if (file !== MEDIA_PLAYLIST) throw ApiError.notFound('file', file);
    const { maxAge, skip } = await this.waits.playlist(key, variant, req.query as Record<string, unknown>);
    res.setHeader('X-Accel-Redirect', playlistRedirect(variantPath, maxAge, skip ? DELTA_PLAYLIST : MEDIA_PLAYLIST, rest));
    res.status(200).end();
  }
}
