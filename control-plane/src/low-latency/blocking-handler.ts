import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { ApiError } from '../common/api-error.js';
import { PlainRoutes, redirect } from '../common/plain-routes.js';
import { DELTA_PLAYLIST, MEDIA_PLAYLIST, PART_FILE_SOURCE } from '../media/hls-layout.js';
import { BlockingWaits } from './blocking-waits.js';
import { BLOCKING_PREFIX, partRedirect, playlistRedirect, heldRequestOf, queryOf, viewerQuery } from './ll-routes.js';

const PART_FILE = new RegExp(`^${PART_FILE_SOURCE}$`);

/**
 * LL-HLS requests the origin's nginx cannot answer from disk alone: a variant playlist with
 * _HLS_msn, _HLS_part or _HLS_skip, or a part a preload hint announced before it was written. Each
 * is held until the packager reports what it waits for, then answered with an X-Accel-Redirect
 * (ll-routes.ts): nginx serves the file. Refusals are answered here, in the API's error shape:
 * 400 (too far ahead, or malformed, the parameter named) and 503 (nothing after three target
 * durations, or the stream stopped). Meant for the origin's nginx only; it returns no playlist or
 * media bytes to anyone. A plain route, not a controller: one request per held viewer (plain-routes.ts).
 */
@Injectable()
export class BlockingHandler implements OnModuleInit {
  private readonly logger = new Logger('ll-blocking');

  constructor(
    private readonly waits: BlockingWaits,
    private readonly routes: PlainRoutes,
  ) {}

  onModuleInit(): void {
    this.routes.add(BLOCKING_PREFIX, this.logger, (req, res) => this.answer(req, res));
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '';
    const { key, variant, file, variantPath } = heldRequestOf(url, BLOCKING_PREFIX);
    // The viewer's own parameters (a token) go with the redirect; the directives have been answered.
    const rest = viewerQuery(url);
    const part = PART_FILE.exec(file);
    if (part) {
      await this.waits.part(key, variant, Number(part[1]), Number(part[2]));
      redirect(res, partRedirect(variantPath, file, rest));
      return;
    }
    if (file !== MEDIA_PLAYLIST) throw ApiError.notFound('file', file);
    const { maxAge, skip } = await this.waits.playlist(key, variant, parseQuery(queryOf(url).slice(1)));
    redirect(res, playlistRedirect(variantPath, maxAge, skip ? DELTA_PLAYLIST : MEDIA_PLAYLIST, rest));
  }
}
