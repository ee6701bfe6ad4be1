// What a request with LL-HLS delivery directives asks for (RFC 8216bis 6.2.5.2 blocking reload,
// 6.2.5.1 delta updates), and whether it can be answered now, must wait, or is refused.
import { ApiError } from '../common/api-error.js';
import type { PlaylistUpdate } from '../media/output/live-output.js';

export interface BlockingQuery {
  /** _HLS_msn: answer once the playlist holds this media sequence number; null: do not block. */
  msn: number | null;
  /** _HLS_part: ... and this part of it; null: the whole segment. */
  part: number | null;
  /** _HLS_skip=YES or v2: a delta update. */
  skip: boolean;
}

export type Verdict = { kind: 'now' } | { kind: 'wait'; msn: number; part: number } | { kind: 'too-far'; message: string };

/** Parses the _HLS_ directives; malformed ones are a 400 naming the parameter. */
export function parseBlockingQuery(query: Record<string, unknown>): BlockingQuery {
  const msn = directiveNumber(query, '_HLS_msn');
  const part = directiveNumber(query, '_HLS_part');
  if (part !== null && msn === null) throw ApiError.invalidField('_HLS_part', 'needs _HLS_msn (8216bis 6.2.5.2)');
  const skip = query._HLS_skip;
  if (skip !== undefined && skip !== 'YES' && skip !== 'v2') throw ApiError.invalidField('_HLS_skip', 'must be YES or v2');
  return { msn, part, skip: skip !== undefined };
}

function directiveNumber(query: Record<string, unknown>, name: string): number | null {
  const raw = query[name];
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) throw ApiError.invalidField(name, 'must be a non-negative integer');
  return Number(raw);
}

/**
 * The Advance Part Limit (8216bis 6.2.5.2): how many parts past the last one a request may ask
 * for before it is refused as too far in the future.
 */
export function advancePartLimit(partTarget: number): number {
  return partTarget < 1 ? Math.floor(3 / partTarget) : 3;
}

/** Now, wait, or refuse (400): segment more than two past the last complete one, or a part past the limit. */
export function judge(query: BlockingQuery, at: PlaylistUpdate): Verdict {
  if (query.msn === null) return { kind: 'now' };
  if (query.msn > at.lastSegment + 2) {
    return { kind: 'too-far', message: `_HLS_msn ${query.msn} is more than two segments past the last complete one (${at.lastSegment})` };
  }
  const part = query.part ?? -1;
  if (query.part !== null && query.msn === at.msn && query.part > at.part + advancePartLimit(at.partTarget)) {
    return { kind: 'too-far', message: `_HLS_part ${query.part} is more than ${advancePartLimit(at.partTarget)} parts past the last one (${at.part})` };
  }
  return { kind: 'wait', msn: query.msn, part };
}
