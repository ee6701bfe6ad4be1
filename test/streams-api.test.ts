import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startTestApi, streamBody, TestApi } from './support/api.js';

describe('streams API', () => {
  let api: TestApi;
  before(async () => (api = await startTestApi()));
  after(() => api.close());
  beforeEach(() => api.dataSource.query('TRUNCATE streams, ingest_ports, audit_log CASCADE'));

  const create = (body: Record<string, unknown>) => api.request().post('/api/v1/streams').set(api.admin).send(body);
  const rung = (name: string, width: number, height: number, videoKbps: number) => ({ name, width, height, videoKbps });
  const countRows = async (table: string) => Number((await api.dataSource.query(`SELECT count(*) AS n FROM ${table}`))[0].n);

  it('creates a stream with defaults, returns 201, its id, ETag and Location', async () => {
    const res = await create({ key: 'demo', ingest: { port: 5000 } });
    assert.equal(res.status, 201);
    assert.match(res.body.id, /^[0-9a-f-]{36}$/);
    assert.equal(res.headers.etag, '"1"');
    assert.equal(res.headers.location, `/api/v1/streams/${res.body.id}`);
    assert.deepEqual(
      { ...res.body, id: undefined, createdAt: undefined, updatedAt: undefined },
      {
        id: undefined,
        key: 'demo',
        name: 'demo',
        enabled: true,
        ingest: { protocol: 'rtp', port: 5000, fec: null, allowedSources: [], srt: null, rtmp: null, rist: null },
        packaging: { segmentSeconds: 4, windowSegments: 6, lowLatency: false, partSeconds: 1, dvrSeconds: 0 },
        renditions: [],
        playback: { signedUrls: false },
        playbackPath: '/live/demo/index.m3u8',
        createdAt: undefined,
        updatedAt: undefined,
        version: 1,
      },
    );
  });

  it('lowLatency: true is accepted and brings its own defaults (2 s segments, 0.2 s parts); values given stay', async () => {
    const ll = await create(streamBody({ key: 'll-defaults', ingest: { port: 5100 }, packaging: { lowLatency: true } }));
    assert.equal(ll.status, 201, JSON.stringify(ll.body));
    assert.deepEqual(ll.body.packaging, { segmentSeconds: 2, windowSegments: 6, lowLatency: true, partSeconds: 0.2, dvrSeconds: 0 });
    const given = await create(streamBody({ key: 'll-given', ingest: { port: 5110 }, packaging: { lowLatency: true, segmentSeconds: 4, partSeconds: 0.5 } }));
    assert.equal(given.status, 201, JSON.stringify(given.body));
    assert.deepEqual(given.body.packaging, { segmentSeconds: 4, windowSegments: 6, lowLatency: true, partSeconds: 0.5, dvrSeconds: 0 });
  });

  it('gets a stream by id and by key, with its ETag', async () => {
    const created = (await create(streamBody())).body;
    for (const ref of [created.id, 'demo']) {
      const res = await api.request().get(`/api/v1/streams/${ref}`).set(api.admin);
      assert.equal(res.status, 200);
      assert.equal(res.body.id, created.id);
      assert.equal(res.headers.etag, '"1"');
    }
  });

  it('returns 404 in the common error shape for unknown ids and keys', async () => {
    for (const ref of ['00000000-0000-4000-8000-000000000000', 'no-such-stream']) {
      const res = await api.request().get(`/api/v1/streams/${ref}`).set(api.admin);
      assert.equal(res.status, 404);
      assert.equal(res.body.code, 'not_found');
      assert.equal(res.body.statusCode, 404);
      assert.match(res.body.message, new RegExp(ref));
    }
    const patch = await api.request().patch('/api/v1/streams/nope').set(api.admin).send({ name: 'x' });
    assert.equal(patch.status, 404);
    const del = await api.request().delete('/api/v1/streams/nope').set(api.admin);
    assert.equal(del.status, 404);
  });

  it('paginates the list with limit and offset and reports the total', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await create({ key: `s${i}`, ingest: { port: 6000 + i * 10 } })).status, 201);
    const first = await api.request().get('/api/v1/streams?limit=2').set(api.admin);
    assert.equal(first.status, 200);
    assert.equal(first.body.total, 5);
    assert.deepEqual(
      first.body.items.map((s: { key: string }) => s.key),
      ['s0', 's1'],
    );
    const last = await api.request().get('/api/v1/streams?limit=2&offset=4').set(api.admin);
    assert.deepEqual(
      last.body.items.map((s: { key: string }) => s.key),
      ['s4'],
    );
    assert.equal(last.body.total, 5);
    const bad = await api.request().get('/api/v1/streams?limit=0').set(api.admin);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.fields[0].field, 'limit');
    const unknown = await api.request().get('/api/v1/streams?sort=name').set(api.admin);
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.fields[0].field, 'sort');
  });

  describe('rejects invalid bodies, names the field, and writes nothing', () => {
    const cases: { name: string; body: Record<string, unknown>; field: string; message?: RegExp }[] = [
      { name: 'wrong type for the port', body: streamBody({ ingest: { port: '5000' } }), field: 'ingest.port', message: /integer/ },
      { name: 'wrong type for enabled', body: streamBody({ enabled: 'yes' }), field: 'enabled', message: /boolean/ },
      { name: 'unknown top-level field', body: streamBody({ colour: 'red' }), field: 'colour', message: /should not exist/ },
      { name: 'unknown nested field', body: streamBody({ ingest: { port: 5000, bitrate: 1 } }), field: 'ingest.bitrate' },
      { name: 'bad slug (upper case)', body: streamBody({ key: 'Demo' }), field: 'key', message: /slug/ },
      { name: 'bad slug (leading dash)', body: streamBody({ key: '-demo' }), field: 'key', message: /slug/ },
      { name: 'bad slug (too long)', body: streamBody({ key: 'a'.repeat(64) }), field: 'key', message: /slug/ },
      { name: 'port below 1024', body: streamBody({ ingest: { port: 80 } }), field: 'ingest.port', message: /1024/ },
      { name: 'port above 65535', body: streamBody({ ingest: { port: 70000 } }), field: 'ingest.port', message: /65535/ },
      {
        name: 'FEC row port beyond 65535',
        body: streamBody({ ingest: { port: 65533, fec: { columns: 5, rows: 10 } } }),
        field: 'ingest.port',
        message: /65531/,
      },
      { name: 'FEC columns above 20', body: streamBody({ ingest: { port: 5000, fec: { columns: 21, rows: 4 } } }), field: 'ingest.fec.columns', message: /20/ },
      { name: 'FEC rows below 4', body: streamBody({ ingest: { port: 5000, fec: { columns: 5, rows: 3 } } }), field: 'ingest.fec.rows', message: /4/ },
      {
        name: 'FEC matrix above 100',
        body: streamBody({ ingest: { port: 5000, fec: { columns: 11, rows: 10 } } }),
        field: 'ingest.fec.rows',
        message: /at most 100/,
      },
      { name: 'FEC without rows', body: streamBody({ ingest: { port: 5000, fec: { columns: 5 } } }), field: 'ingest.fec.rows' },
      { name: 'protocol not rtp/udp/srt/rtmp/rist', body: streamBody({ ingest: { port: 5000, protocol: 'sctp' } }), field: 'ingest.protocol' },
      { name: 'an odd port for RIST', body: streamBody({ ingest: { port: 5001, protocol: 'rist' } }), field: 'ingest.port', message: /even for rist/ },
      {
        name: 'a RIST buffer past 3 s',
        body: streamBody({ ingest: { port: 5000, protocol: 'rist', rist: { bufferMs: 3001 } } }),
        field: 'ingest.rist.bufferMs',
        message: /3000/,
      },
      {
        name: 'RIST settings on another protocol',
        body: streamBody({ ingest: { port: 5000, rist: { bufferMs: 500 } } }),
        field: 'ingest.rist',
        message: /only with protocol "rist"/,
      },
      {
        name: 'FEC with RIST (not built)',
        body: streamBody({ ingest: { port: 5000, protocol: 'rist', fec: { columns: 5, rows: 10 } } }),
        field: 'ingest.fec',
        message: /not built for rist/,
      },
      { name: 'a port for RTMP', body: streamBody({ ingest: { port: 5000, protocol: 'rtmp' } }), field: 'ingest.port', message: /not used by rtmp/ },
      { name: 'no port for RTP', body: streamBody({ ingest: { protocol: 'rtp' } }), field: 'ingest.port' },
      {
        name: 'an RTMP secret under 16 characters',
        body: streamBody({ ingest: { protocol: 'rtmp', rtmp: { secret: 'short' } } }),
        field: 'ingest.rtmp.secret',
        message: /16 to 128/,
      },
      {
        name: 'an RTMP secret that would break the stream key',
        body: streamBody({ ingest: { protocol: 'rtmp', rtmp: { secret: 'abcdefghijklmnop&x=1' } } }),
        field: 'ingest.rtmp.secret',
        message: /URL query/,
      },
      {
        name: 'RTMP settings on another protocol',
        body: streamBody({ ingest: { port: 5000, rtmp: { secret: 'abcdefghijklmnopq' } } }),
        field: 'ingest.rtmp',
        message: /only with protocol "rtmp"/,
      },
      {
        name: 'an SRT passphrase under 10 characters',
        body: streamBody({ ingest: { port: 5000, protocol: 'srt', srt: { passphrase: 'short' } } }),
        field: 'ingest.srt.passphrase',
        message: /10 to 79/,
      },
      {
        name: 'an SRT passphrase with a URL delimiter',
        body: streamBody({ ingest: { port: 5000, protocol: 'srt', srt: { passphrase: 'abcdefghij&mode=caller' } } }),
        field: 'ingest.srt.passphrase',
        message: /srt:\/\/ URLs/,
      },
      {
        name: 'an SRT latency under 20 ms',
        body: streamBody({ ingest: { port: 5000, protocol: 'srt', srt: { latencyMs: 5 } } }),
        field: 'ingest.srt.latencyMs',
        message: /20/,
      },
      {
        name: 'SRT settings on an RTP stream',
        body: streamBody({ ingest: { port: 5000, srt: { latencyMs: 200 } } }),
        field: 'ingest.srt',
        message: /only with protocol "srt"/,
      },
      {
        name: 'FEC on an SRT stream',
        body: streamBody({ ingest: { port: 5000, protocol: 'srt', fec: { columns: 5, rows: 10 } } }),
        field: 'ingest.fec',
        message: /retransmission/,
      },
      {
        name: 'allowed sources on an SRT stream (not built)',
        body: streamBody({ ingest: { port: 5000, protocol: 'srt', allowedSources: ['10.0.0.0/8'] } }),
        field: 'ingest.allowedSources',
        message: /not built for srt/,
      },
      { name: 'bad CIDR', body: streamBody({ ingest: { port: 5000, allowedSources: ['10.0.0.0/33'] } }), field: 'ingest.allowedSources', message: /CIDR/ },
      {
        name: 'part not shorter than segment',
        body: streamBody({ packaging: { segmentSeconds: 2, partSeconds: 2 } }),
        field: 'packaging.partSeconds',
        message: /less than/,
      },
      { name: 'window below 3 segments', body: streamBody({ packaging: { windowSegments: 2 } }), field: 'packaging.windowSegments' },
      {
        name: 'low latency with a part as long as the low-latency default segment',
        body: streamBody({ packaging: { lowLatency: true, partSeconds: 2 } }),
        field: 'packaging.partSeconds',
        message: /less than segmentSeconds \(2\)/,
      },
      { name: 'a DVR window past four hours', body: streamBody({ packaging: { dvrSeconds: 14_401 } }), field: 'packaging.dvrSeconds', message: /14400/ },
      { name: 'rendition without bitrate', body: streamBody({ renditions: [{ name: '720p', width: 1280, height: 720 }] }), field: 'renditions.0.videoKbps' },
      { name: 'missing ingest', body: { key: 'demo' }, field: 'ingest' },
      // Ladders that make no sense (ladder-rules.ts).
      {
        name: 'a rung named like the passthrough variant',
        body: streamBody({ renditions: [rung('source', 1280, 720, 3000)] }),
        field: 'renditions.0.name',
        message: /passed through/,
      },
      {
        name: 'two rungs with one name',
        body: streamBody({ renditions: [rung('hd', 1280, 720, 3000), rung('hd', 854, 480, 1500)] }),
        field: 'renditions.1.name',
        message: /already the name of renditions\.0/,
      },
      {
        name: 'the same rung twice',
        body: streamBody({ renditions: [rung('a', 1280, 720, 3000), rung('b', 1280, 720, 3000)] }),
        field: 'renditions.1',
        message: /the same rung as renditions\.0/,
      },
      {
        name: 'a larger rung at a lower bitrate',
        body: streamBody({ renditions: [rung('small', 640, 360, 2000), rung('large', 1280, 720, 1500)] }),
        field: 'renditions.1.videoKbps',
        message: /must rise with resolution/,
      },
      { name: 'an odd height', body: streamBody({ renditions: [rung('odd', 640, 361, 800)] }), field: 'renditions.0.height', message: /even/ },
      {
        name: 'an audio bitrate per rung (not built: rungs carry the source audio)',
        body: streamBody({ renditions: [{ ...rung('hd', 1280, 720, 3000), audioKbps: 128 }] }),
        field: 'renditions.0.audioKbps',
        message: /not built: every rung carries the source's audio/,
      },
      { name: 'an SSIM floor above 1', body: streamBody({ renditions: [{ ...rung('hd', 1280, 720, 3000), minSsim: 1.5 }] }), field: 'renditions.0.minSsim' },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const res = await create(c.body);
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.body.code, 'validation_failed');
        const fields = res.body.fields.map((f: { field: string }) => f.field);
        assert.ok(fields.includes(c.field), `expected ${c.field} in ${JSON.stringify(res.body.fields)}`);
        if (c.message) assert.match(res.body.message, c.message);
        assert.equal(await countRows('streams'), 0);
        assert.equal(await countRows('audit_log'), 0);
      });
    }

    it("a sound ladder is stored (two rungs of one resolution at different bitrates, as in Apple's authoring spec); a PATCH that breaks it is refused", async () => {
      const ladder = [rung('1080p-high', 1920, 1080, 7800), rung('1080p', 1920, 1080, 6000), { ...rung('720p', 1280, 720, 3000), minSsim: 0.92 }];
      const res = await create(streamBody({ renditions: ladder }));
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.deepEqual(
        res.body.renditions.map((r: { name: string }) => r.name),
        ['1080p-high', '1080p', '720p'],
      );
      assert.equal(res.body.renditions[2].minSsim, 0.92, 'the SSIM floor is kept');
      const broken = await api
        .request()
        .patch('/api/v1/streams/demo')
        .set(api.admin)
        .send({ renditions: [...ladder, rung('480p', 854, 480, 8000)] });
      assert.equal(broken.status, 400);
      assert.deepEqual(
        broken.body.fields.map((f: { field: string }) => f.field),
        ['renditions.0.videoKbps', 'renditions.1.videoKbps', 'renditions.2.videoKbps'],
      );
      const stored = await api.request().get('/api/v1/streams/demo').set(api.admin);
      assert.equal(stored.body.renditions.length, 3, 'the refused ladder was not stored');
    });

    it('an SRT stream: the passphrase given or generated is shown once; a new latency keeps it; a new one is shown once; back to RTP drops it', async () => {
      const given = await create(streamBody({ ingest: { port: 5000, protocol: 'srt', srt: { passphrase: 'correct-horse-battery' } } }));
      assert.equal(given.status, 201, JSON.stringify(given.body));
      assert.deepEqual(given.body.ingest.srt, { latencyMs: 120, passphrase: 'correct-horse-battery' });
      const generated = await create(streamBody({ key: 'gen', ingest: { port: 6000, protocol: 'srt' } }));
      assert.match(generated.body.ingest.srt.passphrase, /^[A-Za-z0-9_-]{32}$/);
      assert.notEqual(
        generated.body.ingest.srt.passphrase,
        (await create(streamBody({ key: 'gen2', ingest: { port: 6100, protocol: 'srt' } }))).body.ingest.srt.passphrase,
      );
      const read = await api.request().get('/api/v1/streams/demo').set(api.admin);
      assert.deepEqual(read.body.ingest.srt, { latencyMs: 120 }, 'not shown on reading');
      const audit = await api.request().get('/api/v1/audit').set(api.admin);
      assert.doesNotMatch(JSON.stringify(audit.body), /correct-horse-battery/, 'not in the audit log');
      const patch = (body: object) => api.request().patch('/api/v1/streams/demo').set(api.admin).send(body);
      const latency = await patch({ ingest: { srt: { latencyMs: 800 } } });
      assert.equal(latency.status, 200, JSON.stringify(latency.body));
      assert.deepEqual(latency.body.ingest.srt, { latencyMs: 800 }, 'the passphrase kept, so not shown');
      const [row] = await api.dataSource.query('SELECT srt_passphrase, srt_latency_ms FROM streams WHERE key = $1', ['demo']);
      assert.deepEqual(row, { srt_passphrase: 'correct-horse-battery', srt_latency_ms: 800 });
      const renewed = await patch({ ingest: { srt: { passphrase: 'another-long-secret' } } });
      assert.deepEqual(renewed.body.ingest.srt, { latencyMs: 800, passphrase: 'another-long-secret' });
      const rtp = await patch({ ingest: { protocol: 'rtp' } });
      assert.equal(rtp.status, 200, JSON.stringify(rtp.body));
      assert.equal(rtp.body.ingest.srt, null);
      const [after] = await api.dataSource.query('SELECT srt_passphrase FROM streams WHERE key = $1', ['demo']);
      assert.equal(after.srt_passphrase, null);
    });

    it('an RTMP stream: no port, the secret shown once and kept only as a digest; switching in and out of RTMP', async () => {
      const given = await create(streamBody({ ingest: { protocol: 'rtmp', rtmp: { secret: 'correct-horse-battery' } } }));
      assert.equal(given.status, 201, JSON.stringify(given.body));
      assert.equal(given.body.ingest.port, null);
      assert.deepEqual(given.body.ingest.rtmp, { secret: 'correct-horse-battery' });
      const [row] = await api.dataSource.query('SELECT ingest_port, rtmp_secret_sha256 FROM streams WHERE key = $1', ['demo']);
      assert.equal(row.ingest_port, null);
      assert.equal(row.rtmp_secret_sha256, createHash('sha256').update('correct-horse-battery').digest('hex'), 'a digest, not the secret');
      assert.equal(await countRows('ingest_ports'), 0, 'no UDP port claimed');
      const read = await api.request().get('/api/v1/streams/demo').set(api.admin);
      assert.deepEqual(read.body.ingest.rtmp, {}, 'not shown on reading');
      const audit = await api.request().get('/api/v1/audit').set(api.admin);
      assert.doesNotMatch(JSON.stringify(audit.body), /correct-horse-battery/, 'not in the audit log');
      const patch = (body: object) => api.request().patch('/api/v1/streams/demo').set(api.admin).send(body);
      const renamed = await patch({ name: 'Renamed' });
      assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
      assert.deepEqual(renamed.body.ingest.rtmp, {}, 'an unrelated change keeps the secret and does not show it');
      const [kept] = await api.dataSource.query('SELECT rtmp_secret_sha256 FROM streams WHERE key = $1', ['demo']);
      assert.equal(kept.rtmp_secret_sha256, row.rtmp_secret_sha256);
      const toSrt = await patch({ ingest: { protocol: 'srt' } });
      assert.equal(toSrt.status, 400, 'leaving RTMP needs a port');
      assert.equal(toSrt.body.fields[0].field, 'ingest.port');
      const toUdp = await patch({ ingest: { protocol: 'udp', port: 5600 } });
      assert.equal(toUdp.status, 200, JSON.stringify(toUdp.body));
      assert.equal(toUdp.body.ingest.rtmp, null);
      const back = await patch({ ingest: { protocol: 'rtmp' } });
      assert.equal(back.status, 200, JSON.stringify(back.body));
      assert.equal(back.body.ingest.port, null, 'the UDP port left behind');
      assert.match(back.body.ingest.rtmp.secret, /^[A-Za-z0-9_-]{32}$/, 'a new secret, generated and shown once');
      assert.equal(await countRows('ingest_ports'), 0);
      const urls = await api.request().get('/api/v1/streams/demo/ingest-urls?host=studio.example.net').set(api.admin);
      assert.equal(urls.body.url, 'rtmp://studio.example.net:1935/live');
      assert.deepEqual(urls.body.obs, { server: 'rtmp://studio.example.net:1935/live', streamKey: 'demo?secret=SECRET' });
      assert.match(urls.body.ffmpeg, / -f flv "rtmp:\/\/studio\.example\.net:1935\/live\/demo\?secret=SECRET"$/);
      assert.match(
        urls.body.gstreamer,
        /^gst-launch-1\.0 flvmux name=mux streamable=true ! rtmp2sink location="rtmp:\/\/studio\.example\.net:1935\/live\/demo\?secret=SECRET" /,
      );
    });

    it('a RIST stream claims its RTCP port (port + 1): a clash is a 409 naming it; ingest-urls gives the ffmpeg and ristsender lines', async () => {
      const rist = await create(streamBody({ ingest: { port: 5000, protocol: 'rist' } }));
      assert.equal(rist.status, 201, JSON.stringify(rist.body));
      assert.deepEqual(rist.body.ingest.rist, { bufferMs: 1000 });
      const rows = await api.dataSource.query('SELECT port, purpose FROM ingest_ports ORDER BY port');
      assert.deepEqual(rows, [
        { port: 5000, purpose: 'media' },
        { port: 5001, purpose: 'rtcp' },
      ]);
      const clash = await create(streamBody({ key: 'other', ingest: { port: 5001 } }));
      assert.equal(clash.status, 409);
      assert.match(clash.body.message, /RIST RTCP port/);
      const urls = await api.request().get('/api/v1/streams/demo/ingest-urls?host=field.example.net').set(api.admin);
      assert.equal(urls.body.url, 'rist://field.example.net:5000');
      assert.match(urls.body.ffmpeg, / -f mpegts -rist_profile simple -buffer_size 1000 rist:\/\/field\.example\.net:5000$/);
      assert.match(urls.body.notes.join(' '), /ristsender -p 0/);
      assert.match(urls.body.gstreamer, / ! rtpmp2tpay ! ristsink address=field\.example\.net port=5000 sender-buffer=1000 /);
      const patched = await api
        .request()
        .patch('/api/v1/streams/demo')
        .set(api.admin)
        .send({ ingest: { rist: { bufferMs: 400 } } });
      assert.deepEqual(patched.body.ingest.rist, { bufferMs: 400 });
      const back = await api
        .request()
        .patch('/api/v1/streams/demo')
        .set(api.admin)
        .send({ ingest: { protocol: 'rtp' } });
      assert.equal(back.body.ingest.rist, null);
      assert.deepEqual(await api.dataSource.query('SELECT port, purpose FROM ingest_ports ORDER BY port'), [{ port: 5000, purpose: 'media' }]);
    });

    it('ingest-urls: what a sender needs, per protocol (RTP with its FEC ports; 404 for an unknown stream)', async () => {
      assert.equal((await create(streamBody({ ingest: { port: 5000, fec: { columns: 5, rows: 10 } }, packaging: { segmentSeconds: 2 } }))).status, 201);
      const res = await api.request().get('/api/v1/streams/demo/ingest-urls?host=encoder.example.net').set(api.admin);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.url, 'rtp://encoder.example.net:5000');
      assert.match(res.body.ffmpeg, / -g 60 .* -f rtp_mpegts -fec prompeg=l=5:d=10 rtp:\/\/encoder\.example\.net:5000$/);
      assert.match(res.body.notes.join(' '), /5002 \(columns\) and 5004 \(rows\)/);
      assert.equal(res.body.obs, null);
      // The GStreamer pipeline, as tried against this server: I420 (High profile, not 4:4:4), a keyframe every 2 s at 30 fps.
      assert.equal(
        res.body.gstreamer,
        'gst-launch-1.0 mpegtsmux name=mux alignment=7 ! rtpmp2tpay ! udpsink host=encoder.example.net port=5000 ' +
          'videotestsrc is-live=true ! video/x-raw,format=I420,width=1280,height=720,framerate=30/1 ! x264enc tune=zerolatency speed-preset=veryfast bitrate=3000 key-int-max=60 ! h264parse ! queue ! mux. ' +
          'audiotestsrc is-live=true ! audioconvert ! voaacenc bitrate=128000 ! aacparse ! queue ! mux.',
      );
      assert.match(res.body.notes.join(' '), /GStreamer has no SMPTE 2022-1 sender/);
      const hostile = await api.request().get('/api/v1/streams/demo/ingest-urls?host=a%22%3Brm').set(api.admin);
      assert.equal(hostile.body.url, 'rtp://127.0.0.1:5000', 'a host that is not a name or address is not echoed into a shell line');
      assert.equal((await api.request().get('/api/v1/streams/nope/ingest-urls').set(api.admin)).status, 404);
    });

    it('a body that is not JSON', async () => {
      const res = await api.request().post('/api/v1/streams').set(api.admin).set('Content-Type', 'application/json').send('{"key":');
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'validation_failed');
      assert.equal(await countRows('streams'), 0);
    });
  });

  describe('conflicts', () => {
    it('409 for a duplicate key', async () => {
      assert.equal((await create(streamBody())).status, 201);
      const res = await create(streamBody({ ingest: { port: 7000 } }));
      assert.equal(res.status, 409);
      assert.equal(res.body.code, 'conflict');
      assert.equal(res.body.fields[0].field, 'key');
      assert.equal(await countRows('streams'), 1);
    });

    it('409 for the same media port, naming the holder', async () => {
      assert.equal((await create(streamBody())).status, 201);
      const res = await create(streamBody({ key: 'other', ingest: { port: 5000 } }));
      assert.equal(res.status, 409);
      assert.equal(res.body.fields[0].field, 'ingest.port');
      assert.match(res.body.message, /"demo"/);
    });

    it("409 when a media port lands on another stream's FEC port, and the reverse", async () => {
      assert.equal((await create(streamBody())).status, 201); // holds 5000, 5002, 5004
      for (const port of [5002, 5004]) {
        const res = await create({ key: `p${port}`, ingest: { port } });
        assert.equal(res.status, 409, `port ${port}`);
        assert.match(res.body.message, /FEC port/);
      }
      // 4998 with FEC would claim 5000 (row FEC 4998+2... column) and 5002
      const reverse = await create({ key: 'reverse', ingest: { port: 4998, fec: { columns: 5, rows: 5 } } });
      assert.equal(reverse.status, 409);
      // Ports between the FEC ports are free: 5001 and 5003 carry no claim.
      assert.equal((await create({ key: 'between', ingest: { port: 5001 } })).status, 201);
      assert.equal(await countRows('streams'), 2);
    });

    it('concurrent creates on one port: exactly one wins, the other gets 409', async () => {
      const results = await Promise.all([0, 1, 2, 3].map((i) => create({ key: `race${i}`, ingest: { port: 9000 } })));
      assert.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409, 409]);
      assert.equal(await countRows('streams'), 1);
    });
  });

  describe('PATCH and DELETE', () => {
    it('merges ingest and packaging, bumps the version and ETag', async () => {
      const created = (await create(streamBody())).body;
      const res = await api
        .request()
        .patch(`/api/v1/streams/${created.id}`)
        .set(api.admin)
        .set('If-Match', '"1"')
        .send({ ingest: { fec: null }, packaging: { segmentSeconds: 6 } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.version, 2);
      assert.equal(res.headers.etag, '"2"');
      assert.deepEqual(res.body.ingest, { protocol: 'rtp', port: 5000, fec: null, allowedSources: [], srt: null, rtmp: null, rist: null });
      assert.equal(res.body.packaging.segmentSeconds, 6);
      assert.equal(res.body.packaging.windowSegments, 6);
      // FEC off released 5002 and 5004
      assert.equal((await create({ key: 'freed', ingest: { port: 5002 } })).status, 201);
    });

    it('412 for a stale If-Match, and nothing changes', async () => {
      const created = (await create(streamBody())).body;
      const ok = await api.request().patch('/api/v1/streams/demo').set(api.admin).set('If-Match', '"1"').send({ name: 'one' });
      assert.equal(ok.status, 200);
      const stale = await api.request().patch('/api/v1/streams/demo').set(api.admin).set('If-Match', '"1"').send({ name: 'two' });
      assert.equal(stale.status, 412);
      assert.equal(stale.body.code, 'precondition_failed');
      const staleDelete = await api.request().delete('/api/v1/streams/demo').set(api.admin).set('If-Match', '"1"');
      assert.equal(staleDelete.status, 412);
      const now = await api.request().get(`/api/v1/streams/${created.id}`).set(api.admin);
      assert.equal(now.body.name, 'one');
      assert.equal(now.headers.etag, '"2"');
    });

    it('validates the merged result: PATCH cannot break a rule', async () => {
      await create(streamBody());
      const res = await api
        .request()
        .patch('/api/v1/streams/demo')
        .set(api.admin)
        .send({ packaging: { partSeconds: 9 } });
      assert.equal(res.status, 400);
      assert.equal(res.body.fields[0].field, 'packaging.partSeconds');
      const unknown = await api
        .request()
        .patch('/api/v1/streams/demo')
        .set(api.admin)
        .send({ ingest: { nope: 1 } });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.fields[0].field, 'ingest.nope');
      const get = await api.request().get('/api/v1/streams/demo').set(api.admin);
      assert.equal(get.body.version, 1);
    });

    it('409 when PATCH moves onto a taken port or key', async () => {
      await create(streamBody());
      await create({ key: 'second', ingest: { port: 6000 } });
      const port = await api
        .request()
        .patch('/api/v1/streams/second')
        .set(api.admin)
        .send({ ingest: { port: 5004 } });
      assert.equal(port.status, 409);
      const key = await api.request().patch('/api/v1/streams/second').set(api.admin).send({ key: 'demo' });
      assert.equal(key.status, 409);
      assert.equal(key.body.fields[0].field, 'key');
    });

    it('deletes a stream and frees its ports', async () => {
      const created = (await create(streamBody())).body;
      const res = await api.request().delete(`/api/v1/streams/${created.id}`).set(api.admin).set('If-Match', '"1"');
      assert.equal(res.status, 204);
      assert.equal((await api.request().get(`/api/v1/streams/${created.id}`).set(api.admin)).status, 404);
      assert.equal(await countRows('ingest_ports'), 0);
      assert.equal((await create(streamBody())).status, 201);
    });
  });

  it('records who changed what in the audit log', async () => {
    const created = (await create(streamBody())).body;
    await api
      .request()
      .patch('/api/v1/streams/demo')
      .set(api.admin)
      .send({ ingest: { port: 5100 } });
    await api.request().delete('/api/v1/streams/demo').set(api.admin);
    const res = await api.request().get(`/api/v1/audit?entityType=stream&entityId=${created.id}`).set(api.admin);
    assert.equal(res.status, 200);
    assert.equal(res.body.total, 3);
    const [del, upd, cre] = res.body.items;
    assert.deepEqual([cre.action, upd.action, del.action], ['create', 'update', 'delete']);
    for (const entry of res.body.items) assert.equal(entry.actor, 'admin-token');
    assert.equal(cre.changes.after.key, 'demo');
    assert.deepEqual(upd.changes['ingest.port'], { from: 5000, to: 5100 });
    assert.equal(del.changes.before.ingest.port, 5100);
    assert.ok(Date.parse(cre.at) <= Date.parse(del.at));
    const paged = await api.request().get('/api/v1/audit?limit=1&offset=1').set(api.admin);
    assert.equal(paged.body.items.length, 1);
    assert.equal(paged.body.items[0].action, 'update');
  });
});
