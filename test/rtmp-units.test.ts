import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { RtmpEvent, RtmpGate } from '../control-plane/src/ingest/rtmp/rtmp-gate.js';
import { applyRtmpEvent, newRtmpStatus } from '../control-plane/src/ingest/rtmp/rtmp-status.js';
import { TsStreamAligner } from '../control-plane/src/media/ts/ts-stream-aligner.js';

const SECRET = 'correct-horse-battery-staple';

function gate(allowedSources: string[] = []) {
  const events: { id: string; event: RtmpEvent }[] = [];
  const logs: string[] = [];
  const g = new RtmpGate({
    lookup: (key) => (key === 'studio' ? { id: 'id-1', key, secretSha256: createHash('sha256').update(SECRET).digest('hex'), allowedSources } : null),
    notify: (id, event) => events.push({ id, event }),
    logger: { log: (m) => logs.push(m), warn: (m) => logs.push(m) },
  });
  return { g, events, logs };
}

/** What nginx-rtmp sends on_publish with (notify_method get), as it sent it here. */
function publishParams(name: string, extra: Record<string, string>, clientid = '3'): URLSearchParams {
  return new URLSearchParams({ app: 'live', tcurl: 'rtmp://127.0.0.1:1935/live', addr: '127.0.0.1', clientid, call: 'publish', name, type: 'live', ...extra });
}

describe('RTMP gate (on_publish)', () => {
  it('lets in the right key and secret, once; refuses the rest with the reason', () => {
    const { g, events } = gate();
    assert.deepEqual(g.judge(publishParams('nosuch', { secret: SECRET })), { status: 404, reason: 'no RTMP stream with this key' });
    assert.equal(g.judge(publishParams('studio', {})).status, 403);
    assert.deepEqual(g.judge(publishParams('studio', { secret: 'wrong' })), { status: 403, reason: 'wrong secret' });
    assert.deepEqual(g.judge(publishParams('studio', { secret: SECRET })), { status: 200 });
    assert.equal(g.publisherOf('id-1'), '127.0.0.1');
    const second = g.judge(publishParams('studio', { secret: SECRET }, '9'));
    assert.equal(second.status, 409);
    assert.deepEqual(
      events.map((e) => e.event.kind),
      ['rejected', 'rejected', 'publish', 'rejected'],
      'every refusal of a known stream is told to its ingest; the unknown key is not',
    );
  });

  it('publish-done frees the key only for the publisher that holds it', async () => {
    const { g, events } = gate();
    g.judge(publishParams('studio', { secret: SECRET }, '3'));
    const answer = async (url: string) => {
      let status = 0;
      const res = { writeHead: (s: number) => ((status = s), { end: () => undefined }) };
      await g.handle({ url } as never, res as never);
      return status;
    };
    assert.equal(await answer('/internal/rtmp/t/publish-done?call=publish_done&name=studio&clientid=9'), 200);
    assert.equal(g.publisherOf('id-1'), '127.0.0.1', 'a refused second publisher leaving changes nothing');
    assert.equal(await answer('/internal/rtmp/t/publish-done?call=publish_done&name=studio&clientid=3'), 200);
    assert.equal(g.publisherOf('id-1'), null);
    assert.equal(events.at(-1)!.event.kind, 'unpublish');
    assert.equal(await answer(`/internal/rtmp/t/publish?call=publish&name=studio&clientid=4&addr=127.0.0.1&secret=${SECRET}`), 200, 'the key is free again');
    assert.equal(await answer('/internal/rtmp/t/other'), 404);
  });

  it('allowedSources: the publisher address must be in one of the blocks', () => {
    const { g } = gate(['10.0.0.0/8']);
    const refused = g.judge(publishParams('studio', { secret: SECRET }));
    assert.equal(refused.status, 403);
    assert.match((refused as { reason: string }).reason, /127\.0\.0\.1 is not in allowedSources/);
    assert.equal(g.judge(publishParams('studio', { secret: SECRET, addr: '10.1.2.3' })).status, 200);
  });
});

describe('RTMP status', () => {
  it('follows publishes, departures, refusals and the front', () => {
    const s = newRtmpStatus();
    applyRtmpEvent(s, { kind: 'publish', address: '192.0.2.1' }, new Date('2026-12-03T14:00:00Z'));
    assert.deepEqual([s.state, s.publishes, s.publisher, s.publishingSince], ['publishing', 1, '192.0.2.1', '2026-12-03T14:00:00.000Z']);
    applyRtmpEvent(s, { kind: 'rejected', address: '192.0.2.9', reason: 'wrong secret' }, new Date('2026-12-03T14:00:01Z'));
    assert.equal(s.rejected, 1);
    assert.equal(s.lastRejection, 'wrong secret (from 192.0.2.9, 2026-12-03T14:00:01.000Z)');
    applyRtmpEvent(s, { kind: 'unpublish' });
    assert.deepEqual([s.state, s.publisher], ['waiting', null]);
    applyRtmpEvent(s, { kind: 'front', error: 'port taken' });
    assert.equal(s.state, 'failed');
    applyRtmpEvent(s, { kind: 'front', error: null });
    assert.equal(s.state, 'waiting');
  });
});

describe('TS stream aligner', () => {
  it('hands on whole 188-byte packets whatever the read sizes, and nothing else', () => {
    const packets = 50;
    const input = new Uint8Array(packets * 188);
    for (let i = 0; i < packets; i++) {
      input[i * 188] = 0x47;
      input.fill(i, i * 188 + 1, (i + 1) * 188);
    }
    for (const readSize of [1, 7, 187, 188, 189, 500, 1316, 4096]) {
      const aligner = new TsStreamAligner();
      const out: number[] = [];
      for (let at = 0; at < input.length; at += readSize) {
        aligner.push(input.subarray(at, at + readSize), (chunk) => {
          assert.equal(chunk.length % 188, 0, `read size ${readSize}: whole packets`);
          out.push(...chunk);
        });
      }
      assert.deepEqual(Uint8Array.from(out), input, `read size ${readSize}: every byte, in order`);
    }
  });

  it('reset drops a packet begun on the last connection', () => {
    const aligner = new TsStreamAligner();
    const out: Uint8Array[] = [];
    aligner.push(new Uint8Array(100).fill(0x47), (c) => out.push(c));
    aligner.reset();
    aligner.push(new Uint8Array(188).fill(0x47), (c) => out.push(c));
    assert.deepEqual(
      out.map((c) => c.length),
      [188],
    );
  });
});
