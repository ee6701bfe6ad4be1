import { Injectable, Logger } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import type { EdgeTarget } from './edge-directory.js';
import { FilledPlaylist } from './filled-playlist.js';
import { PlainAnswer, plainGet } from './plain-get.js';

/** A fill that takes longer than this is given up on; the viewers then fill the edge themselves. */
const FILL_TIMEOUT_MS = 5000;
/**
 * A fill done this recently is not repeated for viewers that arrive after it: the edge keeps what it
 * fetched for at least a second (the shortest max-age the origin gives an LL playlist), so this stays
 * well inside it. Were the copy gone, the edge would fetch it itself, only slower.
 */
const FILL_REMEMBERED_MS = 500;
/** One failure line per edge at most this often. */
const FAILURE_LOG_MS = 30_000;

/**
 * Has an edge fetch an object into its cache, once however many viewers of that edge wait for it:
 * concurrent fills of one object on one edge share one request, and so do those just after it. The request goes to the edge's own
 * public path with its control token, so the edge treats it as a cache fill (from the origin) and
 * not as a viewer to hold.
 */
@Injectable()
export class EdgeFills {
  private readonly logger = new Logger('edge-fill');
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly failureLoggedAt = new Map<string, number>();
  private readonly fills: Counter;
  private readonly failures: Counter;

  constructor(registry: Registry) {
    this.fills = new Counter({
      name: 'hls_ll_edge_fills_total',
      help: 'LL-HLS objects the control plane had an edge cache before waking its viewers',
      labelNames: ['edge'],
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'hls_ll_edge_fill_failures_total',
      help: 'Edge cache fills that failed (the viewers were woken anyway and filled the edge themselves)',
      labelNames: ['edge'],
      registers: [registry],
    });
  }

  /** `path` identifies the object (a path and the query that is part of the cache key); `token` rides along, outside the identity. */
  fill(edge: EdgeTarget, path: string, token: string): Promise<void> {
    return this.shared(edge, path, token, () => undefined).then(() => undefined);
  }

  /**
   * The same for a playlist, kept to answer the held viewers directly (FilledPlaylist); null when the
   * fill failed or its copy cannot serve them (a signed stream's).
   */
  fillPlaylist(edge: EdgeTarget, path: string, token: string): Promise<FilledPlaylist | null> {
    return this.shared(edge, path, token, (answer) => FilledPlaylist.of(answer));
  }

  private shared<T>(edge: EdgeTarget, path: string, token: string, keep: (answer: PlainAnswer) => T): Promise<T | null> {
    const id = `${edge.name} ${path}`;
    let pending = this.inFlight.get(id) as Promise<T | null> | undefined;
    if (!pending) {
      pending = this.fetch(edge, path, token).then((fetched) => {
        if (fetched) setTimeout(() => this.inFlight.delete(id), FILL_REMEMBERED_MS).unref();
        else this.inFlight.delete(id);
        return fetched ? keep(fetched) : null;
      });
      this.inFlight.set(id, pending);
    }
    return pending;
  }

  /** The edge's answer, when it has the object now. */
  private async fetch(edge: EdgeTarget, path: string, token: string): Promise<PlainAnswer | null> {
    this.fills.inc({ edge: edge.name });
    const url = `${edge.controlUrl}${path}${path.includes('?') ? '&' : '?'}token=${token}`;
    try {
      const answer = await plainGet(url, { 'X-HLS-Control-Token': edge.controlToken }, FILL_TIMEOUT_MS);
      if (answer.status < 200 || answer.status > 299) throw new Error(`HTTP ${answer.status}`);
      return answer;
    } catch (error) {
      this.failures.inc({ edge: edge.name });
      const now = Date.now();
      if (now - (this.failureLoggedAt.get(edge.name) ?? -Infinity) > FAILURE_LOG_MS) {
        this.failureLoggedAt.set(edge.name, now);
        this.logger.warn(`filling ${path} on edge ${edge.name} failed: ${(error as Error).message}; its viewers fill it themselves`);
      }
      return null;
    }
  }
}
