// The multivariant ("master") playlist: one EXT-X-STREAM-INF per variant (RFC 8216bis 4.4.6.2),
// and for Content Steering one copy of each variant per pathway plus EXT-X-CONTENT-STEERING
// (4.4.6.6). ABR ladders will add variants to the same model.
import { idValue, playlistUri, quotedString } from './attribute-values.js';

export interface Variant {
  uri: string;
  /** Peak segment bit rate, bits/s (REQUIRED). */
  bandwidth: number;
  averageBandwidth?: number;
  /** RFC 6381 codec strings of every format in the variant. */
  codecs: string[];
  resolution?: { width: number; height: number };
  frameRate?: number;
  /** Content Steering: the pathway (CDN, edge) this copy of the variant is served by. */
  pathwayId?: string;
  /** Names the variant across pathways, so players keep their rendition when they switch. */
  stableVariantId?: string;
}

export interface ContentSteering {
  /** Where players fetch the steering manifest (REQUIRED). */
  serverUri: string;
  /** The pathway to start on, before the first manifest arrives. */
  pathwayId?: string;
}

/**
 * `independentSegments`: every segment starts with a keyframe (and its parameter sets). A stream
 * whose segments had to be cut without one (an encoder that never sends an IDR) must not claim it.
 */
export function writeMasterPlaylist(variants: Variant[], steering?: ContentSteering, independentSegments = true): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', ...(independentSegments ? ['#EXT-X-INDEPENDENT-SEGMENTS'] : [])];
  if (steering) {
    const attributes = [`SERVER-URI="${playlistUri(steering.serverUri)}"`];
    if (steering.pathwayId) attributes.push(`PATHWAY-ID="${idValue(steering.pathwayId, 'PATHWAY-ID')}"`);
    lines.push(`#EXT-X-CONTENT-STEERING:${attributes.join(',')}`);
  }
  for (const v of variants) {
    const attributes = [`BANDWIDTH=${Math.round(v.bandwidth)}`];
    if (v.averageBandwidth !== undefined) attributes.push(`AVERAGE-BANDWIDTH=${Math.round(v.averageBandwidth)}`);
    if (v.codecs.length) attributes.push(`CODECS="${quotedString(v.codecs.join(','), 'CODECS')}"`);
    if (v.resolution) attributes.push(`RESOLUTION=${v.resolution.width}x${v.resolution.height}`);
    if (v.frameRate !== undefined) attributes.push(`FRAME-RATE=${v.frameRate.toFixed(3)}`);
    if (v.pathwayId !== undefined) attributes.push(`PATHWAY-ID="${idValue(v.pathwayId, 'PATHWAY-ID')}"`);
    if (v.stableVariantId !== undefined) attributes.push(`STABLE-VARIANT-ID="${idValue(v.stableVariantId, 'STABLE-VARIANT-ID')}"`);
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, playlistUri(v.uri));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Where a player that has measured nothing yet should start: Apple's authoring spec recommends a
 * first variant of about 2 Mbit/s for Wi-Fi (the first listed is played at start-up and used to
 * measure the network; the order of the others does not matter). Higher than most clients can
 * sustain, the first segments stall; much lower, every viewer starts blurred.
 */
export const START_VARIANT_BANDWIDTH = 2_000_000;

/**
 * Variants in listing order: first the one players should start on (the highest at or under
 * `startBandwidth`, else the lowest), then the others from the highest bandwidth down. Ties keep
 * the order given, so a ladder with equal rates does not reshuffle between rewrites.
 */
export function startFirst<T extends { bandwidth: number }>(variants: T[], startBandwidth = START_VARIANT_BANDWIDTH): T[] {
  // Array.prototype.sort is stable: equal rates keep their order.
  const byRate = [...variants].sort((a, b) => b.bandwidth - a.bandwidth);
  const start = byRate.find((v) => v.bandwidth <= startBandwidth) ?? byRate.at(-1);
  return start === undefined ? [] : [start, ...byRate.filter((v) => v !== start)];
}

/** The variants of a master playlist this server wrote (attributes it does not write are ignored). */
export function parseMasterPlaylist(text: string): Variant[] {
  const variants: Variant[] = [];
  const lines = text.split('\n').map((l) => l.trim());
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('#EXT-X-STREAM-INF:')) continue;
    const uri = lines.slice(i + 1).find((l) => l !== '' && !l.startsWith('#'));
    if (!uri) break;
    const a = attributeList(lines[i].slice('#EXT-X-STREAM-INF:'.length));
    const resolution = /^(\d+)x(\d+)$/.exec(a.RESOLUTION ?? '');
    const variant: Variant = { uri, bandwidth: Number(a.BANDWIDTH ?? 0), codecs: a.CODECS ? a.CODECS.split(',') : [] };
    if (a['AVERAGE-BANDWIDTH'] !== undefined) variant.averageBandwidth = Number(a['AVERAGE-BANDWIDTH']);
    if (resolution) variant.resolution = { width: Number(resolution[1]), height: Number(resolution[2]) };
    if (a['FRAME-RATE'] !== undefined) variant.frameRate = Number(a['FRAME-RATE']);
    if (a['PATHWAY-ID'] !== undefined) variant.pathwayId = a['PATHWAY-ID'];
    if (a['STABLE-VARIANT-ID'] !== undefined) variant.stableVariantId = a['STABLE-VARIANT-ID'];
    variants.push(variant);
  }
  return variants;
}

/** NAME=value pairs; quoted strings may contain commas (RFC 8216bis 4.2). */
function attributeList(text: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of text.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
    attributes[match[1]] = match[2].startsWith('"') ? match[2].slice(1, -1) : match[2];
  }
  return attributes;
}
