// What the origin's nginx and the control plane share for LL-HLS, named once: nginx passes a
// request that must wait to BLOCKING_PREFIX + the viewer's request URI; the control plane answers,
// when it may be served, with an X-Accel-Redirect into a virtual directory of the variant that only
// internal redirects reach (no slug starts with "_"), so nginx serves the file itself: its token
// checks and filters apply, and the control plane never sends the origin's playlist or media bytes.
// (An edge's held viewers are answered with the copy the control plane had that edge cache:
// edge-fill/filled-playlist.ts.)

import { ApiError } from '../common/api-error.js';
import { SLUG_PATTERN } from '../common/slug.js';
import { LIVE_DIR } from '../media/hls-layout.js';

/** Where the origin's nginx sends the requests that must wait (prefix of the control plane route). */
export const BLOCKING_PREFIX = '/internal/ll';

/**
 * Where an edge's nginx sends a playlist request with directives that its cache cannot answer. The
 * control plane answers once the playlist has got that far and the edge's cache holds the answer:
 * with that copy itself, or (signed streams) with an X-Accel-Redirect into EDGE_LL_DIR, which the
 * edge serves from its cache.
 */
export const EDGE_BLOCKING_PREFIX = '/internal/ll-edge';

/** /live/<key>/<variant>/_edgell/<playlist file>?<the viewer's query>: an edge's cached answer. */
export const EDGE_LL_DIR = '_edgell';

/** /live/<key>/<variant>/_ll<max-age seconds>/<playlist file>: a playlist that may be served now. */
export const LL_PLAYLIST_DIR = '_ll';
/** /live/<key>/<variant>/_llpart/<part file>: a part that is written now. */
export const LL_PART_DIR = '_llpart';

export function playlistRedirect(variantPath: string, maxAgeSeconds: number, file: string, query: string): string {
  return `${variantPath}/${LL_PLAYLIST_DIR}${maxAgeSeconds}/${file}${query}`;
}

export function partRedirect(variantPath: string, file: string, query: string): string {
  return `${variantPath}/${LL_PART_DIR}/${file}${query}`;
}

/** The directives stay: they are part of the edge's cache key. */
export function edgePlaylistRedirect(variantPath: string, file: string, query: string): string {
  return `${variantPath}/${EDGE_LL_DIR}/${file}${query}`;
}

/** What a held request names: `<prefix>/live/<key>/<variant>/<file>[?query]`. */
export interface HeldRequest {
  key: string;
  variant: string;
  file: string;
  /** /live/<key>/<variant> */
  variantPath: string;
}

/** The names in a held request's URL (prefix: BLOCKING_PREFIX or EDGE_BLOCKING_PREFIX); 404 for a path or names no stream can have. */
export function heldRequestOf(url: string, prefix: string): HeldRequest {
  const path = url.split('?', 1)[0];
  const head = `${prefix}/${LIVE_DIR}/`;
  const names = path.startsWith(head) ? path.slice(head.length).split('/') : [];
  if (names.length !== 3 || names[2] === '') throw ApiError.notFound('route', path);
  const [key, variant, file] = names;
  if (!SLUG_PATTERN.test(key) || !SLUG_PATTERN.test(variant)) throw ApiError.notFound('stream', key);
  return { key, variant, file, variantPath: `/${LIVE_DIR}/${key}/${variant}` };
}

/** The query of a URL, with its "?", or "". */
export function queryOf(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? '' : url.slice(at);
}

/** The pairs of a URL's query that `keep` accepts, as sent, with a "?", or "". */
function queryWith(url: string, keep: (pair: string) => boolean): string {
  const kept = queryOf(url)
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '' && keep(pair));
  return kept.length ? `?${kept.join('&')}` : '';
}

/** The query without the LL-HLS directives (and CMCD, which the edge logged already): a token stays. */
export function viewerQuery(url: string): string {
  return queryWith(url, (pair) => !/^(_HLS_|CMCD=)/.test(pair));
}

/** The LL-HLS directives of a URL's query as sent (an edge's cache key holds them as sent), or "". */
export function directivesOf(url: string): string {
  return queryWith(url, (pair) => /^_HLS_(msn|part|skip)=/.test(pair));
}
