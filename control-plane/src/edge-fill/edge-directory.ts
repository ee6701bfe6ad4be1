import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { controlUrlOf, enabledEdges } from '../edge/edge-nodes.js';
import { issueToken } from '../edge/signing/playback-token.js';
import { verifyingKeys } from '../edge/signing/signing-keys.service.js';

/** An edge as the control plane reaches it to fill its cache. */
export interface EdgeTarget {
  name: string;
  controlUrl: string;
  controlToken: string;
}

/** The edges are read again this often; an unknown token after this long (a new edge) reads them at once. */
const EDGES_REFRESH_MS = 10_000;
const UNKNOWN_TOKEN_REFRESH_MS = 1000;
/** Fill tokens are valid this long and renewed after a tenth of it. */
const FILL_TOKEN_SECONDS = 600;

/**
 * Who a held request comes from (an enabled edge, by the control token it sends) and the token the
 * control plane's own fill requests carry for signed streams: edges and origins check it like any
 * viewer's, so filling a cache opens nothing. Both are kept in memory: a blocking request must not
 * cost a database query.
 */
@Injectable()
export class EdgeDirectory {
  private byToken = new Map<string, EdgeTarget>();
  private loadedAt = -Infinity;
  private loading: Promise<void> | null = null;
  private readonly tokens = new Map<string, { token: string; renewAt: number }>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async edgeWithToken(token: string): Promise<EdgeTarget | null> {
    if (token === '') return null;
    const age = Date.now() - this.loadedAt;
    if (age > EDGES_REFRESH_MS || (!this.byToken.has(token) && age > UNKNOWN_TOKEN_REFRESH_MS)) await this.reload();
    return this.byToken.get(token) ?? null;
  }

  /** A playback token for `streamKey`, bound to no address, from the current signing key. */
  async fillToken(streamKey: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const cached = this.tokens.get(streamKey);
    if (cached && cached.renewAt > now) return cached.token;
    const [key] = await verifyingKeys(this.dataSource.manager);
    const token = issueToken(key, { streamKey, expiresAt: now + FILL_TOKEN_SECONDS, clientIp: null });
    this.tokens.set(streamKey, { token, renewAt: now + FILL_TOKEN_SECONDS / 10 });
    return token;
  }

  private reload(): Promise<void> {
    this.loading ??= enabledEdges(this.dataSource.manager, { withControlToken: true })
      .then((edges) => {
        this.byToken = new Map(edges.map((e) => [e.controlToken, { name: e.name, controlUrl: controlUrlOf(e), controlToken: e.controlToken }]));
        this.loadedAt = Date.now();
      })
      .finally(() => (this.loading = null));
    return this.loading;
  }
}
