import type { ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { PlainAnswer } from './plain-get.js';

const gzipAsync = promisify(gzip);

/**
 * Names the answers the control plane writes itself to an edge's held viewers; the edge reports its
 * value as the viewer's cache status (X-Cache-Status, the access log's "cache") and hides the header.
 */
export const HELD_ANSWER_HEADER = 'X-HLS-Held-Answer';
/** The viewer got the copy its wait had the edge cache, without a request of its own to the origin. */
export const HELD_ANSWER_FILLED = 'FILLED';

/** The response headers of the edge's cached copy that describe the playlist (the edge adds its own: CORS, CMSD, cache status). */
const KEPT_HEADERS = ['content-type', 'cache-control', 'last-modified', 'etag', 'x-hls-signed'] as const;

/**
 * A playlist an edge has just cached for its held viewers (EdgeFills), kept to answer them: written
 * to each by the control plane, gzip-encoded once for all that accept it. Waking a viewer this way
 * costs the edge's nginx passing on a small upstream answer; an X-Accel-Redirect to its cached copy
 * cost it an internal redirect, a cache file read and gzip per viewer (bench:llhls:
 * that fan-out was most of the time from a part's arrival to the last of 200 viewers' answers).
 * Only for streams without signed URLs: those playlists carry each viewer's own token, which the
 * edge writes in (see EdgeBlockingHandler).
 */
export class FilledPlaylist {
  /** The gzip-encoded body and its headers, made once, when the first viewer that accepts gzip asks. */
  private gzipped: Promise<{ body: Buffer; headers: Record<string, string | number> }> | null = null;
  private readonly plainHeaders: Record<string, string | number>;

  private constructor(
    readonly body: Buffer,
    private readonly headers: Record<string, string>,
  ) {
    this.plainHeaders = this.headersFor(body, false);
  }

  /** The copy in a fill's answer, or null when it cannot serve viewers directly (not a 200, or a signed stream). */
  static of(answer: PlainAnswer): FilledPlaylist | null {
    if (answer.status !== 200 || answer.header('x-hls-signed') !== '0' || answer.header('content-encoding') !== null) return null;
    const kept: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = answer.header(name);
      if (value !== null) kept[name] = value;
    }
    return new FilledPlaylist(answer.body, kept);
  }

  /** Answers one held viewer, in the encoding its Accept-Encoding (passed on by the edge) allows. */
  async answer(res: ServerResponse, acceptEncoding: string | undefined): Promise<void> {
    if (!acceptsGzip(acceptEncoding)) {
      res.writeHead(200, this.plainHeaders).end(this.body);
      return;
    }
    const { body, headers } = await (this.gzipped ??= gzipAsync(this.body).then((body) => ({ body, headers: this.headersFor(body, true) })));
    res.writeHead(200, headers).end(body);
  }

  private headersFor(body: Buffer, encoded: boolean): Record<string, string | number> {
    const headers: Record<string, string | number> = {
      ...this.headers,
      Vary: 'Accept-Encoding',
      'Content-Length': body.length,
      [HELD_ANSWER_HEADER]: HELD_ANSWER_FILLED,
    };
    if (encoded) {
      headers['Content-Encoding'] = 'gzip';
      // Other bytes than the copy's: its entity tag holds only weakly (as nginx's gzip makes it).
      if (typeof headers.etag === 'string' && headers.etag.startsWith('"')) headers.etag = `W/${headers.etag}`;
    }
    return headers;
  }
}

/** Whether an Accept-Encoding header allows gzip (RFC 9110 12.5.3: named, or "*", with a q-value above 0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let star = false;
  for (const item of header.split(',')) {
    const [name, ...params] = item.toLowerCase().split(';');
    const coding = name.trim();
    const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p)).find((m) => m !== null);
    const allowed = !q || Number(q[1]) > 0;
    if (coding === 'gzip' || coding === 'x-gzip') return allowed;
    if (coding === '*') star = allowed;
  }
  return star;
}
