// The live media playlist as a typed model, with a strict writer and a parser for what the writer
// produces (used to resume numbering after a restart). RFC 8216 4.3 / draft-pantos-hls-rfc8216bis 4.4.
import { playlistUri } from './attribute-values.js';

export interface MediaSegmentEntry {
  uri: string;
  /** EXTINF duration, seconds. */
  duration: number;
  programDateTime: Date;
  discontinuity: boolean;
}

export interface MediaPlaylist {
  targetDuration: number;
  /** Media sequence number of the first segment listed. */
  mediaSequence: number;
  /** Discontinuity sequence number of the first segment listed. */
  discontinuitySequence: number;
  segments: MediaSegmentEntry[];
}

/** Version 3: floating-point EXTINF. Nothing here needs more; declare no higher (4.4.1.2). */
export const MEDIA_PLAYLIST_VERSION = 3;

export function writeMediaPlaylist(p: MediaPlaylist): string {
  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${MEDIA_PLAYLIST_VERSION}`,
    `#EXT-X-TARGETDURATION:${p.targetDuration}`,
    `#EXT-X-MEDIA-SEQUENCE:${p.mediaSequence}`,
  ];
  // Required once segments with discontinuities may have been removed (6.2.2); always written so
  // that players and the resume parser never have to infer it.
  lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${p.discontinuitySequence}`);
  for (const s of p.segments) {
    if (s.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${s.programDateTime.toISOString()}`);
    lines.push(`#EXTINF:${s.duration.toFixed(3)},`);
    lines.push(playlistUri(s.uri));
  }
  return `${lines.join('\n')}\n`;
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
  for (const line of lines.slice(1)) {
    const [tag, value = ''] = line.startsWith('#') ? splitTag(line) : [null, line];
    if (tag === null) {
      if (pending.duration === undefined || !pending.programDateTime) return null;
      playlist.segments.push({
        uri: value,
        duration: pending.duration,
        programDateTime: pending.programDateTime,
        discontinuity: pending.discontinuity ?? false,
      });
      pending = { discontinuity: false };
    } else if (tag === '#EXT-X-TARGETDURATION') playlist.targetDuration = Number(value);
    else if (tag === '#EXT-X-MEDIA-SEQUENCE') playlist.mediaSequence = Number(value);
    else if (tag === '#EXT-X-DISCONTINUITY-SEQUENCE') playlist.discontinuitySequence = Number(value);
    else if (tag === '#EXT-X-DISCONTINUITY') pending.discontinuity = true;
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
