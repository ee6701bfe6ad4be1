import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlaylistValueError } from '../control-plane/src/media/playlist/attribute-values.js';
import { ContentSteering, parseMasterPlaylist, Variant, writeMasterPlaylist } from '../control-plane/src/media/playlist/master-playlist.js';
import { MediaPlaylist, parseMediaPlaylist, writeMediaPlaylist } from '../control-plane/src/media/playlist/media-playlist.js';

const variant: Variant = { uri: 'source/index.m3u8', bandwidth: 2_000_000, codecs: ['avc1.64001f', 'mp4a.40.2'] };

/**
 * One row per tag or attribute we write (draft-pantos-hls-rfc8216bis-22 section): the model, the
 * line it must produce, and what parsing that text gives back. Writer and parser are tested from
 * the same row.
 */
const MASTER_TABLE: { section: string; what: string; variants: Variant[]; steering?: ContentSteering; independent?: boolean; line: RegExp }[] = [
  { section: '4.4.1.1', what: 'EXTM3U first', variants: [variant], line: /^#EXTM3U\n/ },
  { section: '4.4.1.2', what: 'EXT-X-VERSION', variants: [variant], line: /^#EXT-X-VERSION:3$/m },
  { section: '4.4.2.1', what: 'EXT-X-INDEPENDENT-SEGMENTS when claimed', variants: [variant], line: /^#EXT-X-INDEPENDENT-SEGMENTS$/m },
  { section: '4.4.6.2', what: 'BANDWIDTH (integer)', variants: [{ ...variant, bandwidth: 1234.6 }], line: /^#EXT-X-STREAM-INF:BANDWIDTH=1235,/m },
  { section: '4.4.6.2', what: 'AVERAGE-BANDWIDTH', variants: [{ ...variant, averageBandwidth: 999.4 }], line: /,AVERAGE-BANDWIDTH=999,/ },
  { section: '4.4.6.2', what: 'CODECS quoted, comma-separated', variants: [variant], line: /,CODECS="avc1\.64001f,mp4a\.40\.2"/ },
  { section: '4.4.6.2', what: 'RESOLUTION', variants: [{ ...variant, resolution: { width: 1280, height: 720 } }], line: /,RESOLUTION=1280x720/ },
  { section: '4.4.6.2', what: 'FRAME-RATE to three decimals', variants: [{ ...variant, frameRate: 29.97 }], line: /,FRAME-RATE=29\.970/ },
  { section: '4.4.6.2', what: 'PATHWAY-ID', variants: [{ ...variant, pathwayId: 'edge-a' }], line: /,PATHWAY-ID="edge-a"/ },
  { section: '4.4.6.2', what: 'STABLE-VARIANT-ID', variants: [{ ...variant, stableVariantId: 'source' }], line: /,STABLE-VARIANT-ID="source"/ },
  { section: '4.4.6.2', what: 'the URI line follows its tag', variants: [variant], line: /^#EXT-X-STREAM-INF:[^\n]*\nsource\/index\.m3u8$/m },
  {
    section: '4.4.6.6',
    what: 'EXT-X-CONTENT-STEERING with SERVER-URI and PATHWAY-ID',
    variants: [{ ...variant, pathwayId: 'edge-a' }],
    steering: { serverUri: 'http://cp:3000/steering/demo.json', pathwayId: 'edge-a' },
    line: /^#EXT-X-CONTENT-STEERING:SERVER-URI="http:\/\/cp:3000\/steering\/demo\.json",PATHWAY-ID="edge-a"$/m,
  },
  {
    section: '4.2',
    what: 'a quote or a line break in a URI is percent-encoded, never ends the value or the line',
    variants: [{ ...variant, uri: 'http://edge"x/\nlive/index.m3u8' }],
    steering: { serverUri: 'http://cp/"steer\r\n' },
    line: /SERVER-URI="http:\/\/cp\/%22steer%0D%0A"[^\n]*\n#EXT-X-STREAM-INF:[^\n]*\nhttp:\/\/edge%22x\/%0Alive\/index\.m3u8$/m,
  },
];

const MEDIA: MediaPlaylist = {
  targetDuration: 4,
  mediaSequence: 17,
  discontinuitySequence: 2,
  segments: [
    { uri: 'seg17.ts', duration: 4, programDateTime: new Date('2026-12-02T10:00:00.000Z'), discontinuity: false },
    { uri: 'seg18.ts', duration: 3.9876, programDateTime: new Date('2026-12-02T10:00:04.000Z'), discontinuity: true },
  ],
};
const MEDIA_TABLE: { section: string; what: string; line: RegExp }[] = [
  { section: '4.4.3.1', what: 'EXT-X-TARGETDURATION (integer seconds)', line: /^#EXT-X-TARGETDURATION:4$/m },
  { section: '4.4.3.2', what: 'EXT-X-MEDIA-SEQUENCE of the first segment', line: /^#EXT-X-MEDIA-SEQUENCE:17$/m },
  { section: '4.4.3.3', what: 'EXT-X-DISCONTINUITY-SEQUENCE', line: /^#EXT-X-DISCONTINUITY-SEQUENCE:2$/m },
  { section: '4.4.4.1', what: 'EXTINF with decimal duration and a comma', line: /^#EXTINF:3\.988,\nseg18\.ts$/m },
  {
    section: '4.4.4.3',
    what: 'EXT-X-DISCONTINUITY before its segment',
    line: /^#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:2026-12-02T10:00:04\.000Z\n#EXTINF:3\.988,\nseg18\.ts$/m,
  },
  { section: '4.4.4.6', what: 'EXT-X-PROGRAM-DATE-TIME, ISO 8601 with milliseconds and zone', line: /^#EXT-X-PROGRAM-DATE-TIME:2026-12-02T10:00:00\.000Z$/m },
];

describe('playlists against RFC 8216bis, tag by tag', () => {
  for (const row of MASTER_TABLE) {
    it(`multivariant ${row.section}: ${row.what}`, () => {
      const text = writeMasterPlaylist(row.variants, row.steering, row.independent ?? true);
      assert.match(text, row.line);
      // Parsed back from the same text: the variants we wrote, URIs as written.
      const parsed = parseMasterPlaylist(text);
      assert.equal(parsed.length, row.variants.length);
      assert.equal(parsed[0].bandwidth, Math.round(row.variants[0].bandwidth));
      assert.equal(parsed[0].pathwayId, row.variants[0].pathwayId);
      assert.equal(text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length, row.variants.length, 'one URI line per variant');
    });
  }

  for (const row of MEDIA_TABLE) {
    it(`media ${row.section}: ${row.what}`, () => {
      const text = writeMediaPlaylist(MEDIA);
      assert.match(text, row.line);
      const parsed = parseMediaPlaylist(text)!;
      assert.equal(parsed.mediaSequence, MEDIA.mediaSequence);
      assert.equal(parsed.discontinuitySequence, MEDIA.discontinuitySequence);
      assert.deepEqual(
        parsed.segments.map((s) => [s.uri, s.discontinuity, s.programDateTime.toISOString()]),
        MEDIA.segments.map((s) => [s.uri, s.discontinuity, s.programDateTime.toISOString()]),
      );
    });
  }

  it('4.4.6.2: a PATHWAY-ID or STABLE-VARIANT-ID outside [a-zA-Z0-9._-] is refused, not written', () => {
    for (const bad of ['edge"a', 'edge\na', 'edge a', '']) {
      assert.throws(() => writeMasterPlaylist([{ ...variant, pathwayId: bad }]), PlaylistValueError);
      assert.throws(() => writeMasterPlaylist([{ ...variant, stableVariantId: bad }]), PlaylistValueError);
      assert.throws(() => writeMasterPlaylist([variant], { serverUri: '/s', pathwayId: bad || 'x y' }), PlaylistValueError);
    }
    assert.throws(() => writeMasterPlaylist([{ ...variant, codecs: ['avc1"'] }]), PlaylistValueError);
  });
});
