import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffObjects } from '../control-plane/src/audit/diff.js';
import { assertIfMatch, etagOf } from '../control-plane/src/common/etag.js';
import { isCidr } from '../control-plane/src/common/validators.js';
import { ingestPortsOf } from '../control-plane/src/streams/stream-limits.js';
import { mergePatch, StreamSettings, withDefaults } from '../control-plane/src/streams/stream-settings.js';

describe('small invariants', () => {
  it('isCidr accepts IPv4/IPv6 blocks and bare addresses, rejects the rest', () => {
    for (const ok of ['10.0.0.0/8', '0.0.0.0/0', '192.0.2.7', '2001:db8::/32', '::/0', '::1']) assert.ok(isCidr(ok), ok);
    for (const bad of ['10.0.0.0/33', '2001:db8::/129', '10.0.0/8', 'example.com', '10.0.0.0/', '10.0.0.0/8/8', '', 42, null]) {
      assert.ok(!isCidr(bad), String(bad));
    }
  });

  it('If-Match: absent and * pass; a matching tag in a list passes; weak tags never match (strong comparison, RFC 9110 13.1.1); others fail', () => {
    assertIfMatch(undefined, 3);
    assertIfMatch('*', 3);
    assertIfMatch('"1", "3"', 3);
    assert.throws(() => assertIfMatch('W/"3"', 3), /does not match/);
    assertIfMatch('W/"3", "3"', 3);
    assert.throws(() => assertIfMatch('"2"', 3), /does not match/);
    assert.throws(() => assertIfMatch('3', 3), /does not match/);
    assert.equal(etagOf(7), '"7"');
  });

  it('ingest ports: media only, or media + column (+2) + row (+4) with FEC', () => {
    assert.deepEqual(ingestPortsOf(5000, false), [{ port: 5000, purpose: 'media' }]);
    assert.deepEqual(
      ingestPortsOf(5000, true).map((c) => c.port),
      [5000, 5002, 5004],
    );
  });

  it('default parts are shorter than short segments, so the stored stream stays valid', () => {
    const short = withDefaults({ key: 'a', ingest: { port: 5000 }, packaging: { segmentSeconds: 1 } });
    assert.equal(short.packaging.partSeconds, 0.25);
    const usual = withDefaults({ key: 'a', ingest: { port: 5000 } });
    assert.equal(usual.packaging.partSeconds, 1);
    assert.ok(usual.packaging.partSeconds < usual.packaging.segmentSeconds);
  });

  it('PATCH merge: objects merge, arrays and fec replace', () => {
    const current: StreamSettings = {
      key: 'a',
      name: 'A',
      enabled: true,
      ingest: { protocol: 'rtp', port: 5000, fec: { columns: 5, rows: 10 }, allowedSources: ['10.0.0.0/8'], srt: null, rtmp: null, rist: null },
      packaging: { segmentSeconds: 4, windowSegments: 6, lowLatency: false, partSeconds: 1, dvrSeconds: 0 },
      renditions: [{ name: 'hd', width: 1280, height: 720, videoKbps: 3000 }],
      playback: { signedUrls: false },
    };
    const merged = mergePatch(current, {
      ingest: { fec: null, allowedSources: [] },
      packaging: { lowLatency: true },
      renditions: [],
      playback: { signedUrls: true },
    }) as unknown as StreamSettings;
    assert.deepEqual(merged.playback, { signedUrls: true });
    assert.deepEqual(merged.ingest, { protocol: 'rtp', port: 5000, fec: null, allowedSources: [], srt: null, rist: null });
    assert.equal(merged.packaging.lowLatency, true);
    assert.equal(merged.packaging.segmentSeconds, 4);
    assert.deepEqual(merged.renditions, []);
    assert.equal(merged.key, 'a');
  });

  it('audit diff reports dotted paths and ignores unchanged fields', () => {
    assert.deepEqual(diffObjects({ a: 1, n: { x: 1, y: [1] } }, { a: 1, n: { x: 2, y: [1, 2] }, b: true }), {
      'n.x': { from: 1, to: 2 },
      'n.y': { from: [1], to: [1, 2] },
      b: { from: null, to: true },
    });
  });
});
