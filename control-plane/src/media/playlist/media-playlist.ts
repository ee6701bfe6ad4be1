// The live media playlist as a typed model, with a strict writer and a parser for what the writer
// produces (used to resume numbering after a restart). RFC 8216 4.3 / draft-pantos-hls-rfc8216bis 4.4.
import { playlistUri } from './attribute-values.js';

export interface MediaSegmentEntry {
  uri: string;
  /** EXTINF duration, seconds. */
  duration: number;
  programDateTime: Date;
  discontinuity: boolean;
  /** fMP4: the init segment (EXT-X-MAP), written where it differs from the previous segment's. */
  map?: string;
  /** LL-HLS: the segment's parts, listed before it while they are recent (4.4.4.9). */
  parts?: PartEntry[];
  /**
   * EXT-X-GAP (4.4.4.7): no media behind this URI (an ABR rung with nothing for a span the source
   * has, its number kept so every variant numbers alike); players skip it or take another variant.
   */
  gap?: boolean;
}

/** EXT-X-PART (8216bis 4.4.4.9). */
export interface PartEntry {
  uri: string;
  duration: number;
  independent: boolean;
}

/** What makes a playlist low-latency: EXT-X-SERVER-CONTROL (4.4.3.8) and EXT-X-PART-INF (4.4.3.7). */
export interface LowLatencyControl {
  partTarget: number;
  /** At least 3 x partTarget (SHOULD), 2 x (MUST). */
  partHoldBack: number;
  /** At least 3 x the target duration. */
  holdBack: number;
  /** The skip boundary for delta updates: at least 6 x the target duration. */
  canSkipUntil: number;
}

/** EXT-X-RENDITION-REPORT (4.4.5.4): where another rendition of the stream has got to. */
export interface RenditionReport {
  uri: string;
  lastMsn: number;
  lastPart: number;
}

export interface MediaPlaylist {
  targetDuration: number;
  /** Media sequence number of the first segment listed. */
  mediaSequence: number;
  /** Discontinuity sequence number of the first segment listed. */
  discontinuitySequence: number;
  segments: MediaSegmentEntry[];
  lowLatency?: LowLatencyControl;
  /** LL-HLS: the segment being cut, listed by its parts so far (no EXTINF yet). */
  pending?: Omit<MediaSegmentEntry, 'uri' | 'duration'> & { parts: PartEntry[] };
  /** EXT-X-PRELOAD-HINT TYPE=PART (4.4.5.3): the next part's URI, requestable before it exists. */
  preloadHint?: string;
  renditionReports?: RenditionReport[];
  /** A delta update (6.2.5.1): this many segments at the head are left out, said by EXT-X-SKIP. */
  skippedSegments?: number;
}

/**
 * The lowest EXT-X-VERSION for the tags used, and no higher (4.4.1.2): 3 for decimal EXTINF, 6 for
 * EXT-X-MAP in a playlist that is not I-frames only, 9 for EXT-X-SKIP. LL-HLS tags need none.
 */
export function mediaPlaylistVersion(p: MediaPlaylist): number {
  if (p.skippedSegments) return 9;
  return p.segments.some((s) => s.map) || p.pending?.map ? 6 : 3;
}

export function writeMediaPlaylist(p: MediaPlaylist): string {
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${mediaPlaylistVersion(p)}`, `#EXT-X-TARGETDURATION:${p.targetDuration}`];
  const ll = p.lowLatency;
  if (ll) {
    lines.push(
      `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=${atLeast(ll.canSkipUntil)},HOLD-BACK=${atLeast(ll.holdBack)},PART-HOLD-BACK=${atLeast(ll.partHoldBack)}`,
    );
    lines.push(`#EXT-X-PART-INF:PART-TARGET=${seconds(ll.partTarget)}`);
  }
  lines.push(`#EXT-X-MEDIA-SEQUENCE:${p.mediaSequence}`);
  // Required once segments with discontinuities may have been removed (6.2.2); always written so
  // that players and the resume parser never have to infer it.
  lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${p.discontinuitySequence}`);
  const skipped = p.skippedSegments ?? 0;
  if (skipped > 0) lines.push(`#EXT-X-SKIP:SKIPPED-SEGMENTS=${skipped}`);
  let map: string | undefined;
  const head = (s: Omit<MediaSegmentEntry, 'uri' | 'duration'>): void => {
    // DISCONTINUITY and MAP come first, then PROGRAM-DATE-TIME and the parts (datedLines).
    if (s.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (s.map && s.map !== map) lines.push(`#EXT-X-MAP:URI="${playlistUri(s.map)}"`);
    map = s.map;
  };
  for (let i = skipped; i < p.segments.length; i++) {
    const s = p.segments[i];
    head(s);
    lines.push(segmentLines(s));
  }
  if (p.pending) {
    head(p.pending);
    lines.push(...datedLines(p.pending));
  }
  if (p.preloadHint) lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${playlistUri(p.preloadHint)}"`);
  for (const r of p.renditionReports ?? []) lines.push(`#EXT-X-RENDITION-REPORT:URI="${playlistUri(r.uri)}",LAST-MSN=${r.lastMsn},LAST-PART=${r.lastPart}`);
  return `${lines.join('\n')}\n`;
}

/**
 * A listed segment's lines from its PROGRAM-DATE-TIME to its URI, rendered once: a segment never
 * changes once listed, except that its parts leave (a new parts array, or none, renders it again).
 * A DVR window of hours is thousands of segments, and the playlist is written again with every part.
 */
const renderedSegments = new WeakMap<MediaSegmentEntry, { parts: PartEntry[] | undefined; text: string }>();

function segmentLines(s: MediaSegmentEntry): string {
  const kept = renderedSegments.get(s);
  if (kept && kept.parts === s.parts) return kept.text;
  const text = [...datedLines(s), ...(s.gap ? ['#EXT-X-GAP'] : []), `#EXTINF:${s.duration.toFixed(3)},`, playlistUri(s.uri)].join('\n');
  renderedSegments.set(s, { parts: s.parts, text });
  return text;
}

/** PROGRAM-DATE-TIME, then the parts (4.4.4.9: after DISCONTINUITY and MAP, before EXTINF). */
function datedLines(s: Omit<MediaSegmentEntry, 'uri' | 'duration'>): string[] {
  return [`#EXT-X-PROGRAM-DATE-TIME:${s.programDateTime.toISOString()}`, ...(s.parts ?? []).map(partLine)];
}

function partLine(part: PartEntry): string {
  return `#EXT-X-PART:DURATION=${seconds(part.duration)},URI="${playlistUri(part.uri)}"${part.independent ? ',INDEPENDENT=YES' : ''}`;
}

/**
 * Seconds for LL-HLS attributes: five decimals, enough for a frame at any rate, so a part whose
 * duration equals PART-TARGET is written equal to it, never above.
 */
function seconds(value: number): string {
  return value.toFixed(5);
}

/** Lower bounds (hold-backs, the skip boundary) are rounded up, so the value written still meets its rule. */
function atLeast(value: number): string {
  return (Math.ceil(value * 1e5 - 1e-6) / 1e5).toFixed(5);
}

/** Parses a playlist this module wrote; returns null for anything else (then the caller starts fresh). */
export function parseMediaPlaylist(text: string): MediaPlaylist | null {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines[0] !== '#EXTM3U') return null;
  const playlist: MediaPlaylist = { targetDuration: 0, mediaSequence: 0, discontinuitySequence: 0, segments: [] };
  let pending: Partial<MediaSegmentEntry> = { discontinuity: false };
  // EXT-X-MAP applies to every segment after it until the next one (4.4.4.5).
  let map: string | undefined;
  for (const line of lines.slice(1)) {
    const [tag, value = ''] = line.startsWith('#') ? splitTag(line) : [null, line];
    if (tag === null) {
      if (pending.duration === undefined || !pending.programDateTime) return null;
      playlist.segments.push({
        uri: value,
        duration: pending.duration,
        programDateTime: pending.programDateTime,
        discontinuity: pending.discontinuity ?? false,
        ...(map ? { map } : {}),
        ...(pending.gap ? { gap: true } : {}),
      });
      pending = { discontinuity: false };
    } else if (tag === '#EXT-X-TARGETDURATION') playlist.targetDuration = Number(value);
    else if (tag === '#EXT-X-MEDIA-SEQUENCE') playlist.mediaSequence = Number(value);
    else if (tag === '#EXT-X-DISCONTINUITY-SEQUENCE') playlist.discontinuitySequence = Number(value);
    else if (tag === '#EXT-X-DISCONTINUITY') pending.discontinuity = true;
    else if (tag === '#EXT-X-GAP') pending.gap = true;
    else if (tag === '#EXT-X-MAP') map = /URI="([^"]*)"/.exec(value)?.[1];
    else if (tag === '#EXT-X-PROGRAM-DATE-TIME') pending.programDateTime = new Date(value);
    else if (tag === '#EXTINF') pending.duration = Number(value.split(',')[0]);
  }
  const numbers = [playlist.targetDuration, playlist.mediaSequence, playlist.discontinuitySequence];
  if (numbers.some((n) => !Number.isInteger(n) || n < 0) || playlist.targetDuration < 1) return null;
  if (playlist.segments.some((s) => !Number.isFinite(s.duration) || Number.isNaN(s.programDateTime.getTime()))) return null;
  return playlist;
}

function splitTag(line: string): [string, string] {
  const colon = line.indexOf(':');
  return colon < 0 ? [line, ''] : [line.slice(0, colon), line.slice(colon + 1)];
}

/** Total duration of the listed segments, seconds. */
export function playlistDuration(p: MediaPlaylist): number {
  return p.segments.reduce((sum, s) => sum + s.duration, 0);
}
