// Who may publish: nginx-rtmp asks before it takes any media (on_publish, as a GET with the
// publisher's key, its query and address) and says when a publisher has gone (on_publish_done).
// A 2xx answer lets the publisher in; anything else makes nginx close the connection.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sha256Hex } from '../../auth/secrets.js';
import { SourceFilter } from '../source-filter.js';

/** What the gate needs of a running RTMP stream. */
export interface RtmpStreamRef {
  id: string;
  key: string;
  secretSha256: string;
  allowedSources: string[];
}

/** What happens at the front, told to the stream's ingest (which keeps the RTMP status). */
export type RtmpEvent =
  | { kind: 'publish'; address: string }
  | { kind: 'unpublish' }
  | { kind: 'rejected'; address: string; reason: string }
  /** The front could not be started (null: it runs again). */
  | { kind: 'front'; error: string | null };

export interface RtmpGateDeps {
  /** The running RTMP stream with this key; null when there is none (or it is disabled). */
  lookup(key: string): RtmpStreamRef | null;
  notify(id: string, event: RtmpEvent): void;
  logger: { log(message: string): void; warn(message: string): void };
}

interface Publisher {
  clientId: string;
  address: string;
}

export type PublishVerdict = { status: 200 } | { status: 403 | 404 | 409; reason: string };

export class RtmpGate {
  /** The accepted publisher of each stream (by stream id), until nginx says it has gone. */
  private readonly publishers = new Map<string, Publisher>();

  constructor(private readonly deps: RtmpGateDeps) {}

  /** The plain route's handler: `<prefix>/publish?...` and `<prefix>/publish-done?...`. */
  handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://hook');
    const params = url.searchParams;
    if (url.pathname.endsWith('/publish-done')) {
      this.published(params.get('name') ?? '', params.get('clientid') ?? '');
      res.writeHead(200, { 'Content-Length': 0 }).end();
      return;
    }
    if (!url.pathname.endsWith('/publish')) {
      res.writeHead(404, { 'Content-Length': 0 }).end();
      return;
    }
    const verdict = this.judge(params);
    res.writeHead(verdict.status, { 'Content-Length': 0 }).end();
  };

  /** Whether a stream has a publisher now (a restarted ingest is told again). */
  publisherOf(id: string): string | null {
    return this.publishers.get(id)?.address ?? null;
  }

  /** The stream stopped or its secret changed: its publisher no longer counts (the front drops it). */
  forget(id: string): void {
    this.publishers.delete(id);
  }

  /** The front (re)started: nobody is connected any more. */
  forgetAll(): void {
    this.publishers.clear();
  }

  judge(params: URLSearchParams): PublishVerdict {
    const key = params.get('name') ?? '';
    const address = params.get('addr') ?? '';
    const stream = this.deps.lookup(key);
    if (params.get('call') !== 'publish' || !stream) {
      this.deps.logger.warn(`RTMP publish to unknown key "${key.slice(0, 80)}" from ${address} refused`);
      return { status: 404, reason: 'no RTMP stream with this key' };
    }
    const refusal = this.refusal(stream, params.get('secret'), address);
    if (refusal) {
      this.deps.logger.warn(`RTMP publish to "${key}" from ${address} refused: ${refusal.reason}`);
      this.deps.notify(stream.id, { kind: 'rejected', address, reason: refusal.reason });
      return refusal;
    }
    this.publishers.set(stream.id, { clientId: params.get('clientid') ?? '', address });
    this.deps.logger.log(`RTMP publisher for "${key}" accepted from ${address}`);
    this.deps.notify(stream.id, { kind: 'publish', address });
    return { status: 200 };
  }

  private refusal(stream: RtmpStreamRef, secret: string | null, address: string): { status: 403 | 409; reason: string } | null {
    if (!secret) return { status: 403, reason: 'no secret (the stream key must be <key>?secret=...)' };
    if (!digestsEqual(sha256Hex(secret), stream.secretSha256)) return { status: 403, reason: 'wrong secret' };
    if (!new SourceFilter(stream.allowedSources).allows(address)) return { status: 403, reason: `address ${address} is not in allowedSources` };
    const current = this.publishers.get(stream.id);
    // The first publisher keeps the key; one that dropped is gone within drop_idle_publisher (10 s).
    if (current) return { status: 409, reason: `already publishing (from ${current.address})` };
    return null;
  }

  private published(key: string, clientId: string): void {
    const stream = this.deps.lookup(key);
    if (!stream || this.publishers.get(stream.id)?.clientId !== clientId) return;
    this.publishers.delete(stream.id);
    this.deps.logger.log(`RTMP publisher for "${key}" left`);
    this.deps.notify(stream.id, { kind: 'unpublish' });
  }
}

/** Both are SHA-256 hex digests (64 characters): compared in constant time. */
function digestsEqual(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
