import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { ApiError, ErrorCode } from '../common/api-error.js';
import { PlainRoutes, redirect } from '../common/plain-routes.js';
import { BlockingWaits } from '../low-latency/blocking-waits.js';
import { directivesOf, EDGE_BLOCKING_PREFIX, edgePlaylistRedirect, queryOf, heldRequestOf } from '../low-latency/ll-routes.js';
import { MEDIA_PLAYLIST } from '../media/hls-layout.js';
import { EdgeDirectory } from './edge-directory.js';
import { EdgeFills } from './edge-fills.js';

/**
 * An edge's blocking playlist requests (RFC 8216bis 6.2.5.2) that its cache could not answer. Each
 * waits here like the origin's, then the edge is made to cache the answer and the part it adds
 * (EdgeFills: one origin request per object per edge, however many viewers wait), and only then
 * are the viewers let through: answered here with that copy (FilledPlaylist), or, for signed streams
 * and failed fills, with an X-Accel-Redirect to the edge's cached copy. nginx's own cache
 * lock collapses requests too, but its waiters look again only every 500 ms: a held playlist would
 * reach most viewers up to half a second late. A plain route, not a controller: one request per
 * held viewer (plain-routes.ts).
 */
@Injectable()
export class EdgeBlockingHandler implements OnModuleInit {
  private readonly logger = new Logger('ll-edge-blocking');

  constructor(
    private readonly waits: BlockingWaits,
    private readonly edges: EdgeDirectory,
    private readonly fills: EdgeFills,
    private readonly routes: PlainRoutes,
  ) {}

  onModuleInit(): void {
    this.routes.add(EDGE_BLOCKING_PREFIX, this.logger, (req, res) => this.answer(req, res));
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '';
    const { key, variant, file, variantPath } = heldRequestOf(url, EDGE_BLOCKING_PREFIX);
    if (file !== MEDIA_PLAYLIST) throw ApiError.notFound('file', file);
    const token = req.headers['x-hls-edge-token'];
    const edge = await this.edges.edgeWithToken(typeof token === 'string' ? token : '');
    if (!edge) throw new ApiError(ErrorCode.Forbidden, 'only an enabled edge, with its control token, may wait here');
    const { at } = await this.waits.playlist(key, variant, parseQuery(queryOf(url).slice(1)));
    const fillToken = await this.edges.fillToken(key);
    const [playlist] = await Promise.all([
      this.fills.fillPlaylist(edge, `${variantPath}/${MEDIA_PLAYLIST}${directivesOf(url)}`, fillToken),
      at?.partUri ? this.fills.fill(edge, `${variantPath}/${at.partUri}`, fillToken) : undefined,
    ]);
    // The copy the edge now holds, written by this process; a signed stream's (each viewer's token
    // goes into it) or a failed fill's: the edge serves it itself.
    if (playlist) await playlist.answer(res, req.headers['accept-encoding']);
    else redirect(res, edgePlaylistRedirect(variantPath, MEDIA_PLAYLIST, queryOf(url)));
  }
}
