import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlaylistValueError } from '../control-plane/src/media/playlist/attribute-values.js';
import {
  ContentSteering,
  parseMasterPlaylist,
  START_VARIANT_BANDWIDTH,
  startFirst,
  Variant,
  writeMasterPlaylist,
} from '../control-plane/src/media/playlist/master-playlist.js';
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
    { uri: 'seg19.ts', duration: 4, programDateTime: new Date('2026-12-02T10:00:07.988Z'), discontinuity: false, gap: true },
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
  {
    section: '4.4.4.7',
    what: 'EXT-X-GAP applies to the next segment only',
    line: /^seg18\.ts\n#EXT-X-PROGRAM-DATE-TIME:[^\n]+\n#EXT-X-GAP\n#EXTINF:4\.000,\nseg19\.ts\n?$/m,
  },
];

const PDT = (seconds: number) => new Date(Date.parse('2026-12-02T10:00:00.000Z') + seconds * 1000);
const part = (msn: number, i: number, independent = i === 0) => ({ uri: `seg${msn}.${i}.m4s`, duration: 0.2, independent });
const LOW_LATENCY: MediaPlaylist = {
  targetDuration: 2,
  mediaSequence: 40,
  discontinuitySequence: 0,
  lowLatency: { partTarget: 0.2, partHoldBack: 0.6, holdBack: 6, canSkipUntil: 12 },
  segments: [
    { uri: 'seg40.m4s', duration: 2, programDateTime: PDT(0), discontinuity: false, map: 'init0.mp4' },
    { uri: 'seg41.m4s', duration: 0.4, programDateTime: PDT(2), discontinuity: false, map: 'init0.mp4', parts: [part(41, 0), part(41, 1)] },
  ],
  pending: { programDateTime: PDT(2.4), discontinuity: true, map: 'init1.mp4', parts: [part(42, 0), part(42, 1, false)] },
  preloadHint: 'seg42.2.m4s',
  renditionReports: [{ uri: '../720p/index.m3u8', lastMsn: 42, lastPart: 1 }],
};
const LOW_LATENCY_TABLE: { section: string; what: string; playlist?: MediaPlaylist; line: RegExp }[] = [
  { section: '4.4.1.2', what: 'EXT-X-VERSION 6 for EXT-X-MAP', line: /^#EXT-X-VERSION:6$/m },
  { section: '4.4.1.2', what: 'EXT-X-VERSION 3 without EXT-X-MAP', playlist: MEDIA, line: /^#EXT-X-VERSION:3$/m },
  {
    section: '4.4.3.8',
    what: 'EXT-X-SERVER-CONTROL: blocking reload, skip boundary, hold-backs',
    line: /^#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=12\.00000,HOLD-BACK=6\.00000,PART-HOLD-BACK=0\.60000$/m,
  },
  { section: '4.4.3.7', what: 'EXT-X-PART-INF', line: /^#EXT-X-PART-INF:PART-TARGET=0\.20000$/m },
  {
    section: '4.4.4.5',
    what: 'EXT-X-MAP once, again where it changes',
    line: /^#EXT-X-MAP:URI="init0\.mp4"$(?![\s\S]*init0)[\s\S]*^#EXT-X-MAP:URI="init1\.mp4"$/m,
  },
  {
    section: '4.4.4.9',
    what: 'EXT-X-PART lines after the PDT and before their EXTINF, INDEPENDENT on the first',
    line: /^#EXT-X-PROGRAM-DATE-TIME:2026-12-02T10:00:02\.000Z\n#EXT-X-PART:DURATION=0\.20000,URI="seg41\.0\.m4s",INDEPENDENT=YES\n#EXT-X-PART:DURATION=0\.20000,URI="seg41\.1\.m4s"\n#EXTINF:0\.400,\nseg41\.m4s$/m,
  },
  {
    section: '4.4.4.9',
    what: 'the pending segment: DISCONTINUITY, MAP and PDT before its parts, no EXTINF',
    line: /^#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="init1\.mp4"\n#EXT-X-PROGRAM-DATE-TIME:2026-12-02T10:00:02\.400Z\n#EXT-X-PART:[^\n]*seg42\.0[^\n]*\n#EXT-X-PART:DURATION=0\.20000,URI="seg42\.1\.m4s"\n#EXT-X-PRELOAD-HINT/m,
  },
  { section: '4.4.5.3', what: 'EXT-X-PRELOAD-HINT TYPE=PART', line: /^#EXT-X-PRELOAD-HINT:TYPE=PART,URI="seg42\.2\.m4s"$/m },
  {
    section: '4.4.5.4',
    what: 'EXT-X-RENDITION-REPORT with LAST-MSN and LAST-PART',
    line: /^#EXT-X-RENDITION-REPORT:URI="\.\.\/720p\/index\.m3u8",LAST-MSN=42,LAST-PART=1$/m,
  },
  {
    section: '4.4.5.2',
    what: 'a delta update: EXT-X-SKIP for the segments left out, version 9, numbering unchanged',
    playlist: { ...LOW_LATENCY, skippedSegments: 1 },
    line: /^#EXT-X-VERSION:9\n[\s\S]*^#EXT-X-MEDIA-SEQUENCE:40\n#EXT-X-DISCONTINUITY-SEQUENCE:0\n#EXT-X-SKIP:SKIPPED-SEGMENTS=1\n#EXT-X-MAP:URI="init0\.mp4"\n#EXT-X-PROGRAM-DATE-TIME:2026-12-02T10:00:02\.000Z$(?![\s\S]*seg40\.m4s)/m,
  },
];

describe('playlists against RFC 8216bis, tag by tag', () => {
  for (const row of LOW_LATENCY_TABLE) {
    it(`LL-HLS media ${row.section}: ${row.what}`, () => {
      const playlist = row.playlist ?? LOW_LATENCY;
      const text = writeMediaPlaylist(playlist);
      assert.match(text, row.line);
      // The resume parser reads the complete segments back past every LL-HLS tag.
      const parsed = parseMediaPlaylist(text)!;
      assert.equal(parsed.mediaSequence, playlist.mediaSequence);
      assert.deepEqual(
        parsed.segments.map((s) => s.uri),
        playlist.segments.slice(playlist.skippedSegments ?? 0).map((s) => s.uri),
      );
    });
  }

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
        parsed.segments.map((s) => [s.uri, s.discontinuity, s.programDateTime.toISOString(), s.gap === true]),
        MEDIA.segments.map((s) => [s.uri, s.discontinuity, s.programDateTime.toISOString(), s.gap === true]),
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
  it('a segment is rendered once and again when its parts leave; the text equals a fresh render of the same model', () => {
    const model = (): MediaPlaylist => structuredClone(LOW_LATENCY);
    const kept = model();
    assert.equal(writeMediaPlaylist(kept), writeMediaPlaylist(model()));
    assert.match(writeMediaPlaylist(kept), /seg41\.1\.m4s/);
    // The packager unlists old parts by deleting them from the listed segment.
    delete kept.segments[1].parts;
    const after = writeMediaPlaylist(kept);
    assert.doesNotMatch(after, /seg41\.\d\.m4s/);
    const fresh = model();
    delete fresh.segments[1].parts;
    assert.equal(after, writeMediaPlaylist(fresh));
    // A new parts array (the model replaced) is rendered from it, not from what was kept.
    kept.segments[1].parts = [part(41, 0), part(41, 1), part(41, 2, false)];
    assert.match(writeMediaPlaylist(kept), /seg41\.2\.m4s/);
  });
  it('the first variant is the one players start on: the highest at or under 2 Mbit/s (Apple), the rest from the top down', () => {
    const v = (name: string, kbps: number) => ({ name, bandwidth: kbps * 1000 });
    const names = (list: { name: string }[]) => list.map((x) => x.name);
    // A 1080p source over a 720p/480p/360p ladder, listed source first as configured.
    const ladder = [v('source', 6000), v('720p', 3000), v('480p', 1500), v('360p', 800)];
    assert.deepEqual(names(startFirst(ladder)), ['480p', 'source', '720p', '360p']);
    // Exactly at the threshold counts as under it.
    assert.deepEqual(names(startFirst([v('a', 900), v('b', START_VARIANT_BANDWIDTH / 1000)])), ['b', 'a']);
    // Everything above it: the lowest starts.
    assert.deepEqual(names(startFirst([v('a', 9000), v('b', 4000), v('c', 5000)])), ['b', 'a', 'c']);
    // A small ladder under it: the source (the highest) starts, as before.
    assert.deepEqual(names(startFirst([v('source', 1200), v('270p', 600), v('180p', 300)])), ['source', '270p', '180p']);
    // Equal rates keep the order given; one variant or none pass through.
    assert.deepEqual(names(startFirst([v('x', 500), v('y', 500), v('z', 500)])), ['x', 'y', 'z']);
    assert.deepEqual(names(startFirst([v('only', 9000)])), ['only']);
    assert.deepEqual(startFirst([]), []);
  });
});
