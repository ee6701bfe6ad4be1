// The multivariant ("master") playlist: one EXT-X-STREAM-INF per variant (RFC 8216bis 4.4.6.2).
// ABR ladders and Content Steering pathways will add variants to the same model.

export interface Variant {
  uri: string;
  /** Peak segment bit rate, bits/s (REQUIRED). */
  bandwidth: number;
  averageBandwidth?: number;
  /** RFC 6381 codec strings of every format in the variant. */
  codecs: string[];
  resolution?: { width: number; height: number };
  frameRate?: number;
}

export function writeMasterPlaylist(variants: Variant[]): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const v of variants) {
    const attributes = [`BANDWIDTH=${Math.round(v.bandwidth)}`];
    if (v.averageBandwidth !== undefined) attributes.push(`AVERAGE-BANDWIDTH=${Math.round(v.averageBandwidth)}`);
    if (v.codecs.length) attributes.push(`CODECS="${v.codecs.join(',')}"`);
    if (v.resolution) attributes.push(`RESOLUTION=${v.resolution.width}x${v.resolution.height}`);
    if (v.frameRate !== undefined) attributes.push(`FRAME-RATE=${v.frameRate.toFixed(3)}`);
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, v.uri);
  }
  return `${lines.join('\n')}\n`;
}
