import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MediaPlaylist, parseMediaPlaylist } from '../control-plane/src/media/playlist/media-playlist.js';
import { startEncoder } from './support/encoder.js';
import { decodeErrors } from './support/media.js';
import { freeUdpPortBlock, udpPortInUse } from './support/ports.js';
import { eventually, startSystem, SystemUnderTest } from './support/system.js';
import { readEvents } from './support/sse.js';
import { UdpRelay } from './support/udp-relay.js';

describe('live pipeline: encoder -> ingest -> HLS on disk -> nginx origin', () => {
  let system: SystemUnderTest;
  let scratch: string;
  before(async () => {
    system = await startSystem();
    scratch = await mkdtemp(path.join(os.tmpdir(), 'hls-e2e-media-'));
  });
  after(async () => {
    await system.dispose();
    await rm(scratch, { recursive: true, force: true });
  });

  const createStream = async (body: Record<string, unknown>) => {
    const res = await system.api('POST', '/api/v1/streams', body);
    assert.equal(res.status, 201, JSON.stringify(res.json));
    return res.json as { id: string; key: string };
  };
  const status = async (key: string) => (await system.api('GET', `/api/v1/streams/${key}/status`)).json;
  const mediaPlaylist = async (key: string): Promise<MediaPlaylist> => {
    const res = await system.origin(`/live/${key}/source/index.m3u8`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    const playlist = parseMediaPlaylist(await res.text());
    assert.ok(playlist, 'a valid media playlist');
    return playlist;
  };
  /** Downloads every listed segment through nginx and decodes it with `ffmpeg -v error`. */
  const assertSegmentsDecode = async (key: string, playlist: MediaPlaylist) => {
    for (const segment of playlist.segments) {
      const res = await system.origin(`/live/${key}/source/${segment.uri}`);
      assert.equal(res.status, 200, segment.uri);
      assert.equal(res.headers.get('content-type'), 'video/mp2t');
      const file = path.join(scratch, `${key}-${segment.uri}`);
      await writeFile(file, Buffer.from(await res.arrayBuffer()));
      const errors = decodeErrors(file);
      if (errors) await writeFile(path.join(os.tmpdir(), `failed-${key}-${segment.uri}`), await readFile(file));
      assert.equal(errors, '', `${key}/${segment.uri} decodes without a single error (kept in ${os.tmpdir()}/failed-${key}-${segment.uri})`);
    }
  };
  /** The feed ended and the stream saw it stop: its last segment is published and its counters final. */
  const settled = (key: string) =>
    eventually(async () => ((await status(key)).state === 'stalled' ? true : undefined), 15_000, `${key} stalled after its feed`);
  const waitForSegments = (key: string, count: number, timeoutMs = 20_000) =>
    eventually(async () => ((await status(key)).segmentsWritten >= count ? true : undefined), timeoutMs, `${count} segments of ${key}`);

  it('RTP with prompeg FEC (L=5, D=10) through a relay dropping 2% and reordering: repaired, every segment decodes, counted on /metrics', async () => {
    const port = await freeUdpPortBlock();
    const relayPort = await freeUdpPortBlock();
    await createStream({ key: 'fec', ingest: { protocol: 'rtp', port, fec: { columns: 5, rows: 10 } }, packaging: { segmentSeconds: 2 } });
    const relay = new UdpRelay({ from: relayPort, to: port, fec: true, dropRate: 0.02, minDropGap: 5, reorderRate: 0.005, seed: 1 });
    await relay.start();
    const encoder = startEncoder({ protocol: 'rtp', port: relayPort, fec: { columns: 5, rows: 10 }, seconds: 12 });
    assert.equal(await encoder.done, 0, encoder.stderr());
    await settled('fec');
    relay.stop();
    const s = await status('fec');
    assert.ok(relay.dropped > 20, `relay dropped ${relay.dropped}`);
    assert.ok(s.recoveredByFec > 0, JSON.stringify(s));
    assert.equal(s.unrecoverable, 0, JSON.stringify(s));
    assert.equal(s.recoveredByFec, relay.dropped, 'every dropped packet was rebuilt');
    assert.ok(s.reordered > 0);
    assert.equal(s.codecs.width, 640);
    const playlist = await mediaPlaylist('fec');
    assert.ok(playlist.segments.length >= 4);
    await assertSegmentsDecode('fec', playlist);
    const master = await (await system.origin('/live/fec/index.m3u8')).text();
    assert.match(master, /#EXT-X-STREAM-INF:BANDWIDTH=\d+,AVERAGE-BANDWIDTH=\d+,CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2",RESOLUTION=640x360,FRAME-RATE=25\.000/);
    // The same figures on /metrics, labelled by stream key.
    const metrics = await (await fetch(`http://127.0.0.1:${system.apiPort}/metrics`)).text();
    assert.match(metrics, new RegExp(`hls_ingest_fec_recovered_total\\{stream="fec"\\} ${s.recoveredByFec}\\b`));
    assert.match(metrics, /hls_segments_written_total\{stream="fec"\} [1-9]\d*/);
    assert.match(metrics, /hls_ingest_jitter_ms\{stream="fec"\}/);
  });

  it('plain UDP MPEG-TS without loss; its figures as live status events and in its history', async () => {
    const port = await freeUdpPortBlock();
    const { id } = await createStream({ key: 'plain', ingest: { protocol: 'udp', port }, packaging: { segmentSeconds: 2 } });
    // Another stream's status must not come through a subscription to this one.
    await createStream({ key: 'other', ingest: { protocol: 'udp', port: await freeUdpPortBlock() } });
    const live = readEvents(
      `http://127.0.0.1:${system.apiPort}/api/v1/events?stream=plain&types=status`,
      system.token,
      (events) => events.some((e) => e.data.sample.inputBitrate > 0),
      15_000,
    );
    const encoder = startEncoder({ protocol: 'udp', port, seconds: 7 });
    const events = await live;
    assert.ok(events.length > 0 && events.every((e) => e.event === 'status' && e.data.id === id && e.data.key === 'plain'), JSON.stringify(events.slice(0, 3)));
    assert.ok(
      events.some((e) => e.data.sample.inputBitrate > 0 && e.data.sample.state === 'live'),
      JSON.stringify(events.at(-1)),
    );
    assert.equal(await encoder.done, 0, encoder.stderr());
    await settled('plain');
    const s = await status('plain');
    assert.ok(s.packetsReceived > 100);
    assert.equal(s.lost, 0);
    assert.equal(s.malformed, 0);
    const playlist = await mediaPlaylist('plain');
    assert.ok(playlist.segments.length >= 2);
    await assertSegmentsDecode('plain', playlist);

    const history = (await system.api('GET', '/api/v1/streams/plain/history')).json;
    assert.equal(history.id, id);
    const samples: { t: number; inputBitrate: number; packetsReceived: number; state: string }[] = history.samples;
    assert.ok(samples.length >= 5, `a sample a second: ${samples.length}`);
    for (let i = 1; i < samples.length; i++) {
      assert.ok(samples[i].t > samples[i - 1].t, 'oldest first');
      assert.ok(samples[i].packetsReceived >= samples[i - 1].packetsReceived, 'counters are cumulative');
    }
    assert.ok(samples.some((x) => x.inputBitrate > 100_000));
    assert.equal(samples.at(-1)!.packetsReceived, s.packetsReceived);
    const recent = (await system.api('GET', `/api/v1/streams/plain/history?since=${samples.at(-2)!.t}`)).json;
    assert.ok(recent.samples.length >= 2 && recent.samples.length < samples.length && recent.samples[0].t === samples.at(-2)!.t);
    assert.equal((await system.api('GET', '/api/v1/streams/nope/history')).status, 404);
    const bad = await system.api('GET', '/api/v1/streams/plain/history?since=yesterday');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.fields[0].field, 'since');
  });

  it('RTP with loss and no FEC: the stream keeps going, the damage is counted, the playlist stays valid', async () => {
    const port = await freeUdpPortBlock();
    const relayPort = await freeUdpPortBlock();
    await createStream({ key: 'lossy', ingest: { protocol: 'rtp', port }, packaging: { segmentSeconds: 2 } });
    const relay = new UdpRelay({ from: relayPort, to: port, fec: false, dropRate: 0.02, minDropGap: 5, reorderRate: 0, seed: 2 });
    await relay.start();
    const encoder = startEncoder({ protocol: 'rtp', port: relayPort, seconds: 9 });
    assert.equal(await encoder.done, 0, encoder.stderr());
    await settled('lossy');
    relay.stop();
    const s = await status('lossy');
    assert.equal(s.unrecoverable, relay.dropped, JSON.stringify(s));
    assert.ok(s.unrecoverable > 0);
    assert.ok(s.segmentsWritten >= 3, `kept going: ${s.segmentsWritten} segments`);
    const playlist = await mediaPlaylist('lossy');
    for (const segment of playlist.segments) assert.equal((await system.origin(`/live/lossy/source/${segment.uri}`)).status, 200);
  });

  it('encoder stopped and restarted: EXT-X-DISCONTINUITY appears and sequence numbers continue', async () => {
    const port = await freeUdpPortBlock();
    await createStream({ key: 'restart', ingest: { protocol: 'udp', port }, packaging: { segmentSeconds: 1 } });
    assert.equal(await startEncoder({ protocol: 'udp', port, seconds: 5 }).done, 0);
    await eventually(async () => ((await status('restart')).state === 'stalled' ? true : undefined), 8000, 'the stall');
    const before = await mediaPlaylist('restart');
    assert.equal(await startEncoder({ protocol: 'udp', port, seconds: 5 }).done, 0);
    // Live again, then stalled again: the second run's segments are all published.
    await eventually(
      async () => ((await status('restart')).segmentsWritten > before.mediaSequence + before.segments.length ? true : undefined),
      15_000,
      'the second run',
    );
    await settled('restart');
    const after = await mediaPlaylist('restart');
    const text = await (await system.origin('/live/restart/source/index.m3u8')).text();
    assert.match(text, /#EXT-X-DISCONTINUITY\n/);
    const numbers = after.segments.map((s) => Number(/seg(\d+)\.ts/.exec(s.uri)![1]));
    numbers.forEach((n, i) => assert.equal(n, after.mediaSequence + i, 'consecutive'));
    assert.ok(after.mediaSequence + after.segments.length > before.mediaSequence + before.segments.length);
    await assertSegmentsDecode('restart', after);
  });

  it('API changes start, move and stop a listener within a second, without a restart', async (t) => {
    const first = await freeUdpPortBlock();
    const second = await freeUdpPortBlock();
    const created = await createStream({ key: 'moving', ingest: { protocol: 'rtp', port: first, fec: { columns: 5, rows: 5 } } });
    // The design target is under a second; the bound here is generous because this machine is shared
    // and noisy (no timed assertions), and the measured time is reported as a diagnostic instead.
    const within = async (what: string, check: () => Promise<boolean>) => {
      const started = performance.now();
      await eventually(async () => ((await check()) ? true : undefined), 15_000, what);
      t.diagnostic(`${what}: ${Math.round(performance.now() - started)} ms`);
    };
    await within('media and FEC ports bound', async () => (await udpPortInUse(first)) && (await udpPortInUse(first + 2)) && (await udpPortInUse(first + 4)));
    assert.equal((await system.api('PATCH', `/api/v1/streams/${created.id}`, { ingest: { port: second } })).status, 200);
    await within('moved to the new port', async () => (await udpPortInUse(second)) && !(await udpPortInUse(first)));
    assert.equal((await system.api('PATCH', `/api/v1/streams/${created.id}`, { enabled: false })).status, 200);
    await within('stopped when disabled', async () => !(await udpPortInUse(second)));
    assert.equal((await status('moving')).state, 'disabled');
    assert.equal((await system.api('PATCH', `/api/v1/streams/${created.id}`, { enabled: true })).status, 200);
    await within('started again', () => udpPortInUse(second));
  });

  it('a port another program holds: the stream says so, and takes the port as soon as it is free', async () => {
    const port = await freeUdpPortBlock();
    const squatter = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => squatter.bind(port + 2, '0.0.0.0', resolve));
    await createStream({ key: 'squatted', ingest: { protocol: 'rtp', port, fec: { columns: 5, rows: 5 } } });
    const failed = await eventually(
      async () => {
        const s = await status('squatted');
        return s.state === 'failed' ? s : undefined;
      },
      10_000,
      'the bind failure reported',
    );
    assert.match(failed.error, new RegExp(`cannot listen on UDP ${port}, ${port + 2}, ${port + 4}: .*EADDRINUSE.*retrying`));
    await new Promise<void>((resolve) => squatter.close(() => resolve()));
    await eventually(async () => ((await status('squatted')).state === 'idle' ? true : undefined), 15_000, 'the retry binding the freed port');
    assert.equal((await status('squatted')).error, null);
    assert.ok((await udpPortInUse(port)) && (await udpPortInUse(port + 4)));
    assert.match(system.proc.output(), /\[ingest squatted\] UDP .* free again after \d+ failed attempt/);
  });

  it('hostile UDP (random bytes, truncated RTP, wrong payload type, bad TS sync) never stops the stream', async () => {
    const port = await freeUdpPortBlock();
    await createStream({ key: 'hostile', ingest: { protocol: 'rtp', port, fec: { columns: 5, rows: 10 } }, packaging: { segmentSeconds: 2 } });
    const attacker = dgram.createSocket('udp4');
    const junk = (i: number): Buffer => {
      switch (i % 5) {
        case 0:
          return Buffer.from(Array.from({ length: 1 + (i % 1400) }, (_, j) => (i * 31 + j * 7) & 0xff));
        case 1:
          return Buffer.from([0x80, 0x21, 0x00]); // truncated RTP
        case 2:
          return Buffer.concat([Buffer.from([0x80, 0x60, 0, i & 0xff, 0, 0, 0, 0, 0, 0, 0, 1]), Buffer.alloc(1316, 0x47)]); // wrong PT
        case 3:
          return Buffer.concat([Buffer.from([0x80, 0x21, 0x7f, i & 0xff, 0, 0, 0, 0, 0, 0, 0, 9]), Buffer.alloc(1316, 0x11)]); // TS without sync
        default:
          return Buffer.alloc(40, 0xff); // garbage FEC
      }
    };
    let sent = 0;
    const blast = setInterval(() => {
      for (let k = 0; k < 5; k++, sent++) attacker.send(junk(sent), port + (sent % 5 === 4 ? 2 : 0), '127.0.0.1');
    }, 20);
    const encoder = startEncoder({ protocol: 'rtp', port, fec: { columns: 5, rows: 10 }, seconds: 8 });
    assert.equal(await encoder.done, 0, encoder.stderr());
    clearInterval(blast);
    attacker.close();
    await settled('hostile');
    const s = await status('hostile');
    assert.ok(s.malformed > 100, `malformed ${s.malformed} of ${sent} hostile datagrams`);
    assert.ok(s.segmentsWritten >= 2, JSON.stringify(s));
    assert.deepEqual(await (await fetch(`http://127.0.0.1:${system.apiPort}/healthz`)).json(), { status: 'ok' });
    assert.ok(system.proc.child.exitCode === null, 'the control plane is still running');
  });

  it('drops and counts datagrams from sources outside allowedSources', async () => {
    const port = await freeUdpPortBlock();
    await createStream({ key: 'guarded', ingest: { protocol: 'udp', port, allowedSources: ['192.0.2.0/24'] } });
    await eventually(async () => ((await udpPortInUse(port)) ? true : undefined), 15_000, 'the listener');
    const sender = dgram.createSocket('udp4');
    await Promise.all(Array.from({ length: 20 }, () => new Promise((resolve) => sender.send(Buffer.alloc(1316, 0x47), port, '127.0.0.1', resolve))));
    sender.close();
    const s = await eventually(
      async () => {
        const current = await status('guarded');
        return current.droppedBySource === 20 ? current : undefined;
      },
      15_000,
      'all 20 datagrams counted as dropped',
    );
    assert.equal(s.packetsReceived, 0);
  });

  it('control plane restarted mid-stream: numbering continues and nginx serves again', async () => {
    const port = await freeUdpPortBlock();
    await createStream({ key: 'survivor', ingest: { protocol: 'udp', port }, packaging: { segmentSeconds: 1 } });
    const encoder = startEncoder({ protocol: 'udp', port, seconds: 16 });
    await waitForSegments('survivor', 3);
    const before = await mediaPlaylist('survivor');
    const lastBefore = before.mediaSequence + before.segments.length - 1;
    await system.restart();
    await eventually(async () => ((await status('survivor')).segmentsWritten >= 3 ? true : undefined), 15_000, 'segments after the restart');
    const after = await mediaPlaylist('survivor');
    assert.ok(after.mediaSequence >= before.mediaSequence, 'media sequence never goes backwards');
    assert.ok(after.mediaSequence + after.segments.length - 1 >= lastBefore + 3, 'numbering continues after the restart');
    const text = await (await system.origin('/live/survivor/source/index.m3u8')).text();
    assert.match(text, /#EXT-X-DISCONTINUITY\n/);
    encoder.child.kill('SIGINT');
    await encoder.done;
  });

  it('deleting a stream removes its files', async () => {
    const port = await freeUdpPortBlock();
    await createStream({ key: 'doomed', ingest: { protocol: 'udp', port }, packaging: { segmentSeconds: 1 } });
    assert.equal(await startEncoder({ protocol: 'udp', port, seconds: 3 }).done, 0);
    await waitForSegments('doomed', 1);
    const dir = path.join(system.mediaRoot, 'live', 'doomed');
    assert.ok(existsSync(dir));
    assert.equal((await system.api('DELETE', '/api/v1/streams/doomed')).status, 204);
    await eventually(async () => (existsSync(dir) ? undefined : true), 15_000, 'the files to go');
    assert.equal((await system.origin('/live/doomed/index.m3u8')).status, 404);
  });
});
