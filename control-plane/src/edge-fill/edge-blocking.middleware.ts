import { Injectable, Logger, NestMiddleware } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiError, ErrorCode } from '../common/api-error.js';
import { runPlain } from '../common/plain-handler.js';
import { BlockingWaits } from '../low-latency/blocking-waits.js';
import { directivesOf, EDGE_BLOCKING_PREFIX, edgePlaylistRedirect, queryOf, heldRequestOf } from '../low-latency/ll-routes.js';
import { MEDIA_PLAYLIST } from '../media/hls-layout.js';
import { EdgeDirectory } from './edge-directory.js';
import { EdgeFills } from './edge-fills.js';

/**
 * An edge's blocking playlist requests (RFC 8216bis 6.2.5.2) that its cache could not answer. Each
 * waits here like the origin's, then the edge is made to cache the answer and the part it adds
 * (EdgeFills: one origin request per object per edge, however many viewers wait), and only then
 * are the viewers let through, with an X-Accel-Redirect to the edge's cached copy. nginx's own cache
 * lock collapses requests too, but its waiters look again only every 500 ms: a held playlist would
 * reach most viewers up to half a second late. Middleware, not a controller: one request per held
 * viewer (plain-handler.ts).
 */
@Injectable()
export class EdgeBlockingMiddleware implements NestMiddleware {
  private readonly logger = new Logger('ll-edge-blocking');

  constructor(
    private readonly waits: BlockingWaits,
    private readonly edges: EdgeDirectory,
    private readonly fills: EdgeFills,
  ) {}

  use(req: Request, res: Response): void {
    runPlain(req, res, this.logger, (q, s) => this.answer(q, s));
  }

  private async answer(req: Request, res: Response): Promise<void> {
    const { key, variant, file, variantPath } = heldRequestOf(req.originalUrl, EDGE_BLOCKING_PREFIX);
    if (file !== MEDIA_PLAYLIST) throw ApiError.notFound('file', file);
    const edge = await this.edges.edgeWithToken(req.header('x-hls-edge-token') ?? '');
    if (!edge) throw new ApiError(ErrorCode.Forbidden, 'only an enabled edge, with its control token, may wait here');
    const { at } = await this.waits.playlist(key, variant, req.query as Record<string, unknown>);
    const token = await this.edges.fillToken(key);
    const fills = [this.fills.fill(edge, `${variantPath}/${MEDIA_PLAYLIST}${directivesOf(req.originalUrl)}`, token)];
    if (at?.partUri) fills.push(this.fills.fill(edge, `${variantPath}/${at.partUri}`, token));
    await Promise.all(fills);
    res.setHeader('X-Accel-Redirect', edgePlaylistRedirect(variantPath, MEDIA_PLAYLIST, queryOf(req.originalUrl)));
    res.status(200).end();
  }
}
