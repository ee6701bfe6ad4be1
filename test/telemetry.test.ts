import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { IngestStatus } from '../control-plane/src/ingest/ingest-protocol.js';
import { sampleOf, StatusHistory, StatusSample } from '../control-plane/src/telemetry/status-history.js';
import { startTestApi, streamBody, TestApi } from './support/api.js';
import { readEvents } from './support/sse.js';

const sample = (t: number, inputBitrate = t): StatusSample => ({
  t,
  state: 'live',
  inputBitrate,
  packetsReceived: t,
  lost: 0,
  recoveredByFec: 0,
  unrecoverable: 0,
  jitterMs: 0,
  playoutDelayMs: 0,
  segmentsWritten: 0,
  viewers: null,
  viewerBufferMs: null,
  viewerThroughputKbps: null,
  rungSsim: null,
});

describe('sampleOf: what a status tick keeps', () => {
  it("takes the figures, the viewers the edges reported, and each encoded rung's SSIM (not the source's)", () => {
    const rung = (name: string, ssim: number | null, reference: boolean) => ({ name, quality: { ssim, reference } });
    const status = {
      state: 'live',
      inputBitrate: 2_000_000,
      packetsReceived: 900,
      lost: 7,
      recoveredByFec: 6,
      unrecoverable: 1,
      jitterMs: 1.5,
      playoutDelayMs: 700,
      segmentsWritten: 12,
      ladder: { rungs: [rung('source', 1, true), rung('360p', 0.95, false), rung('180p', null, false)] },
    } as unknown as IngestStatus;
    const s = sampleOf(status, 1234, { viewers: 3, bufferLengthMs: 4000, measuredThroughputKbps: 9000 });
    assert.deepEqual(s, {
      t: 1234,
      state: 'live',
      inputBitrate: 2_000_000,
      packetsReceived: 900,
      lost: 7,
      recoveredByFec: 6,
      unrecoverable: 1,
      jitterMs: 1.5,
      playoutDelayMs: 700,
      segmentsWritten: 12,
      viewers: 3,
      viewerBufferMs: 4000,
      viewerThroughputKbps: 9000,
      rungSsim: { '360p': 0.95, '180p': null },
    });
    const plain = sampleOf({ ...status, ladder: null } as IngestStatus, 1);
    assert.equal(plain.rungSsim, null);
    assert.equal(plain.viewers, null);
  });
});

describe('StatusHistory: a bounded ring of samples per stream', () => {
  it('keeps the newest samples oldest first, filters by time, and forgets a stream', () => {
    const h = new StatusHistory(4);
    assert.deepEqual(h.samples('a'), []);
    for (let t = 1; t <= 3; t++) h.record('a', sample(t));
    assert.deepEqual(
      h.samples('a').map((s) => s.t),
      [1, 2, 3],
    );
    for (let t = 4; t <= 10; t++) h.record('a', sample(t));
    assert.deepEqual(
      h.samples('a').map((s) => s.t),
      [7, 8, 9, 10],
      'the oldest go first once full',
    );
    assert.deepEqual(
      h.samples('a', 9).map((s) => s.t),
      [9, 10],
    );
    h.record('b', sample(100));
    assert.deepEqual(
      h.samples('b').map((s) => s.t),
      [100],
      'streams have their own rings',
    );
    h.forget('a');
    assert.deepEqual(h.samples('a'), []);
    assert.equal(h.samples('b').length, 1);
  });
});

describe('live events API (history and status events: live-pipeline e2e)', () => {
  let api: TestApi;
  let base: string;
  before(async () => {
    api = await startTestApi();
    const server = api.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => api.close());

  it('GET /api/v1/events needs a key and refuses unknown event types naming the field', async () => {
    assert.equal((await api.request().get('/api/v1/events')).status, 401);
    const bad = await api.request().get('/api/v1/events?types=status,bogus').set(api.admin);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.fields[0].field, 'types');
    assert.match(bad.body.message, /unknown: bogus/);
  });

  it('a read key hears configuration changes as typed config events', async () => {
    const key = await api.request().post('/api/v1/api-keys').set(api.admin).send({ name: 'console-read', scope: 'read' });
    assert.equal(key.status, 201);
    const heard = readEvents(`${base}/api/v1/events?types=config`, key.body.secret, (events) => events.some((e) => e.data.ref === 'sse-demo'));
    // Give the subscription a moment to be in place before the change.
    await new Promise((r) => setTimeout(r, 300));
    const created = await api
      .request()
      .post('/api/v1/streams')
      .set(api.admin)
      .send(streamBody({ key: 'sse-demo', ingest: { protocol: 'udp', port: 5990 } }));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const events = await heard;
    const event = events.find((e) => e.data.ref === 'sse-demo');
    assert.ok(event, `a config event for the new stream: ${JSON.stringify(events)}`);
    assert.equal(event.event, 'config');
    assert.deepEqual(
      { ...event.data, version: undefined },
      { type: 'config', entity: 'stream', op: 'created', id: created.body.id, ref: 'sse-demo', version: undefined },
    );
  });
});
