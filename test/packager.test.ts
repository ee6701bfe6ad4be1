import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseMediaPlaylist } from '../control-plane/src/media/playlist/media-playlist.js';
import { nextSyncPoint, StreamPackager } from '../control-plane/src/media/stream-packager.js';
import { parsePat, parsePmt } from '../control-plane/src/media/ts/psi.js';
import { payloadOffset, pidOf } from '../control-plane/src/media/ts/ts-packet.js';
import { decodeErrors, encodeTestTs, packageTs, probe } from './support/media.js';

describe('packager on real ffmpeg output', () => {
  let root: string;
  let ts: Buffer;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'hls-pkg-'));
    ts = encodeTestTs(10, { gop: 25, size: '320x240' });
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('cuts segments at keyframes after segmentSeconds; each starts with PAT, PMT and decodes cleanly', async () => {
    const packager = await packageTs(root, 'basic', ts);
    const dir = path.join(root, 'live', 'basic', 'source');
    const playlist = parseMediaPlaylist(await readFile(path.join(dir, 'index.m3u8'), 'utf8'))!;
    assert.ok(playlist, 'a playlist it can parse back');
    assert.equal(playlist.segments.length, 5, JSON.stringify(playlist.segments.map((s) => s.duration)));
    for (const s of playlist.segments) {
      assert.ok(Math.abs(s.duration - 2) < 0.05, `duration ${s.duration}`);
      const bytes = await readFile(path.join(dir, s.uri));
      assert.equal(bytes.length % 188, 0);
      assert.equal(pidOf(bytes, 0), 0, 'first packet is the PAT');
      const pmtPid = parsePat(bytes.subarray(payloadOffset(bytes, 0), 188))!;
      assert.equal(pidOf(bytes, 188), pmtPid, 'second packet is the PMT');
      assert.ok(parsePmt(bytes.subarray(188 + payloadOffset(bytes, 188), 376)));
      assert.equal(decodeErrors(path.join(dir, s.uri)), '', `${s.uri} decodes without errors`);
    }
    assert.equal(packager.stats().demux.ccErrors, 0);
    const sum = playlist.segments.reduce((a, s) => a + s.duration, 0);
    assert.ok(Math.abs(sum - 10) < 0.1, `total ${sum}`);
  });

  it('writes a master playlist with codecs, resolution and frame rate from the stream itself', async () => {
    await packageTs(root, 'master', ts);
    const master = await readFile(path.join(root, 'live', 'master', 'index.m3u8'), 'utf8');
    const info = probe(path.join(root, 'live', 'master', 'source', 'seg0.ts'));
    const video = info.streams.find((s) => s.codec_type === 'video')!;
    const avc = /CODECS="(avc1\.([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})),mp4a\.40\.2"/.exec(master);
    assert.ok(avc, master);
    const profileIdc: Record<string, number> = { 'Constrained Baseline': 66, Baseline: 66, Main: 77, High: 100 };
    assert.equal(parseInt(avc[2], 16), profileIdc[video.profile!], `profile ${video.profile}`);
    assert.equal(parseInt(avc[4], 16), video.level);
    assert.match(master, /RESOLUTION=320x240/);
    assert.match(master, /FRAME-RATE=25\.000/);
    const bandwidth = Number(/BANDWIDTH=(\d+)/.exec(master)![1]);
    const average = Number(/AVERAGE-BANDWIDTH=(\d+)/.exec(master)![1]);
    assert.ok(bandwidth >= average && average > 10_000, `${bandwidth} >= ${average}`);
    assert.match(master, /^source\/index\.m3u8$/m);
  });

  it('slides the window, numbers segments on, keeps removed ones for a while, and resumes numbering after a restart', async () => {
    const first = await packageTs(root, 'window', ts, { segmentSeconds: 1, windowSegments: 3 });
    const dir = path.join(root, 'live', 'window', 'source');
    const p1 = parseMediaPlaylist(await readFile(path.join(dir, 'index.m3u8'), 'utf8'))!;
    assert.equal(p1.targetDuration, 1, '1 s segments of a 1 s GOP: a target of 1');
    assert.ok(p1.segments.length >= 3);
    assert.ok(p1.segments.reduce((a, s) => a + s.duration, 0) >= 3 * p1.targetDuration - 0.01, 'never shorter than 3 target durations');
    assert.ok(p1.mediaSequence > 0, 'old segments scrolled out');
    assert.equal(p1.segments[0].uri, `seg${p1.mediaSequence}.ts`);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.ts'));
    assert.ok(files.includes(`seg${p1.mediaSequence - 1}.ts`), 'a removed segment is still downloadable');
    assert.equal(first.stats().segmentsWritten, 10);

    // A restart (new process): numbering continues and the first new segment is a discontinuity.
    await packageTs(root, 'window', ts, { segmentSeconds: 1, windowSegments: 3 });
    const p2 = parseMediaPlaylist(await readFile(path.join(dir, 'index.m3u8'), 'utf8'))!;
    const lastBefore = p1.mediaSequence + p1.segments.length - 1;
    assert.equal(p2.mediaSequence + p2.segments.length - 1, lastBefore + 10);
    assert.ok(p2.mediaSequence > p1.mediaSequence);
    const text = await readFile(path.join(dir, 'index.m3u8'), 'utf8');
    assert.ok(p2.discontinuitySequence >= 1 || text.includes('#EXT-X-DISCONTINUITY\n'), 'the restart is marked');
  });

  it('marks an encoder restart (timestamps start over) with EXT-X-DISCONTINUITY and keeps numbering', async () => {
    const restarted = Buffer.concat([ts, encodeTestTs(6, { gop: 25, size: '320x240' })]);
    await packageTs(root, 'restart', restarted);
    const text = await readFile(path.join(root, 'live', 'restart', 'source', 'index.m3u8'), 'utf8');
    const playlist = parseMediaPlaylist(text)!;
    const breaks = playlist.segments.filter((s) => s.discontinuity);
    assert.equal(breaks.length, 1, text);
    assert.equal(playlist.segments.length, 8);
    assert.deepEqual(
      playlist.segments.map((s) => s.uri),
      Array.from({ length: 8 }, (_, i) => `seg${i}.ts`),
    );
    for (const s of playlist.segments) assert.equal(decodeErrors(path.join(root, 'live', 'restart', 'source', s.uri)), '');
  });

  it('a new program (the audio track goes, timestamps run on) ends the timeline: one EXT-X-DISCONTINUITY, clean segments either side', async () => {
    // The second program continues the first one's clock, so only the PMT change can break the timeline.
    const videoOnly = encodeTestTs(6, { gop: 25, size: '320x240', outputArgs: ['-an', '-output_ts_offset', '10'] });
    await packageTs(root, 'program', Buffer.concat([ts, videoOnly]));
    const dir = path.join(root, 'live', 'program', 'source');
    const playlist = parseMediaPlaylist(await readFile(path.join(dir, 'index.m3u8'), 'utf8'))!;
    const breakAt = playlist.segments.findIndex((s) => s.discontinuity);
    assert.ok(breakAt > 0, 'a discontinuity after the first program');
    assert.equal(playlist.segments.filter((s) => s.discontinuity).length, 1);
    assert.deepEqual(
      probe(path.join(dir, playlist.segments[breakAt - 1].uri)).streams.map((s) => s.codec_type),
      ['video', 'audio'],
    );
    assert.deepEqual(
      probe(path.join(dir, playlist.segments[breakAt].uri)).streams.map((s) => s.codec_type),
      ['video'],
    );
    for (const s of playlist.segments) assert.equal(decodeErrors(path.join(dir, s.uri)), '');
  });

  it('measures the frame rate from decode timestamps when B-frames reorder presentation times', async () => {
    await packageTs(root, 'bframes', encodeTestTs(4, { gop: 30, rate: 30, preset: 'veryfast' }), { segmentSeconds: 1 });
    const master = await readFile(path.join(root, 'live', 'bframes', 'index.m3u8'), 'utf8');
    assert.match(master, /FRAME-RATE=30\.000/);
    assert.match(master, /CODECS="avc1\.64/, 'veryfast encodes High profile');
  });

  it('a stall publishes the segment in progress without its possibly cut-short last frame', async () => {
    // The feed stops in the middle of a frame: the tail of the last access unit never arrives.
    const cut = ts.subarray(0, Math.floor((ts.length * 0.55) / 188) * 188 - 188 * 5);
    const packager = await packageTs(root, 'stall', cut);
    const dir = path.join(root, 'live', 'stall', 'source');
    const playlist = parseMediaPlaylist(await readFile(path.join(dir, 'index.m3u8'), 'utf8'))!;
    assert.equal(packager.stats().segmentsWritten, playlist.segments.length);
    const last = playlist.segments.at(-1)!;
    assert.ok(last.duration > 0.5 && last.duration < 2, `partial segment of ${last.duration} s`);
    for (const s of playlist.segments) assert.equal(decodeErrors(path.join(dir, s.uri)), '', `${s.uri} decodes cleanly`);
  });

  it('survives garbage between packets and counts it', async () => {
    const noisy = Buffer.concat([Buffer.from([1, 2, 3]), ts.subarray(0, 188 * 2000), Buffer.alloc(100, 0x47), ts.subarray(188 * 2000)]);
    const packager = await packageTs(root, 'noisy', noisy);
    assert.ok(packager.stats().misalignedBytes > 0);
    assert.ok(packager.stats().segmentsWritten >= 4);
    await writeFile(path.join(root, 'touch'), '');
  });

  it('resynchronises only where whole packets follow: 0x47 bytes inside garbage are not taken for packet starts', async () => {
    // Garbage full of 0x47 (every 11th byte, and a run of them), before and between whole packets of a
    // datagram. It starts with another byte: a 0x47 right where a packet is due is taken for one (as
    // by any demuxer locked to the stream); the search for the next start is what must not be fooled.
    const garbage = (n: number, first = 0x00) =>
      Buffer.from(Array.from({ length: n }, (_, i) => (i === 0 ? first : i % 11 === 0 || (i > 40 && i < 60) ? 0x47 : (i * 37) & 0xff)));
    const packets = Math.floor(ts.length / 188);
    const datagrams: Buffer[] = [];
    let garbageBytes = 0;
    for (let p = 0, n = 0; p < packets; p += 7, n++) {
      const whole = ts.subarray(p * 188, Math.min(p + 7, packets) * 188);
      if (n % 5 === 1) {
        const junk = garbage(23 + (n % 150));
        garbageBytes += junk.length;
        datagrams.push(Buffer.concat([junk, whole]));
      } else if (n % 5 === 3 && whole.length >= 3 * 188) {
        const junk = garbage(97);
        garbageBytes += junk.length;
        datagrams.push(Buffer.concat([whole.subarray(0, 2 * 188), junk, whole.subarray(2 * 188)]));
      } else datagrams.push(whole);
    }
    const packager = new StreamPackager({ mediaRoot: root, key: 'resync', segmentSeconds: 2, windowSegments: 100 });
    await packager.open();
    for (const d of datagrams) packager.push(d);
    packager.flush();
    await packager.output.drain();
    const stats = packager.stats();
    assert.equal(stats.misalignedBytes, garbageBytes, 'exactly the garbage is skipped');
    assert.equal(stats.demux.packets, packets, 'every real packet reaches the demuxer, none made of garbage');
    assert.equal(stats.demux.invalid, 0);
    assert.equal(nextSyncPoint(garbage(200), 0), -1, 'garbage alone holds no sync point');
  });

  it('EXT-X-TARGETDURATION is what the encoder GOP cuts, not a second more (players hold back three of it)', async () => {
    const cases: { gop: number; segmentSeconds: number; target: number }[] = [
      { gop: 25, segmentSeconds: 2, target: 2 }, // 1 s GOP, 2 s segments: 2 (the provisional ceiling was 3)
      { gop: 50, segmentSeconds: 2, target: 2 },
      { gop: 75, segmentSeconds: 2, target: 3 }, // a 3 s GOP cuts 3 s segments: the target says so
    ];
    for (const { gop, segmentSeconds, target } of cases) {
      const key = `target-${gop}-${segmentSeconds}`;
      const packager = await packageTs(root, key, encodeTestTs(12, { gop, size: '160x120' }), { segmentSeconds, windowSegments: 100 });
      const playlist = parseMediaPlaylist(await readFile(path.join(root, 'live', key, 'source', 'index.m3u8'), 'utf8'))!;
      assert.equal(playlist.targetDuration, target, `GOP ${gop} frames, segmentSeconds ${segmentSeconds}`);
      for (const s of playlist.segments) assert.ok(Math.round(s.duration) <= target, `EXTINF ${s.duration} rounds within ${target}`);
      assert.equal(packager.stats().forcedCuts, 0, 'no cut without a keyframe');
    }
  });

  it('a DVR window keeps that much history in the media playlist and on disk, beyond the live window', async () => {
    const ts20 = encodeTestTs(24, { gop: 25, size: '160x120' });
    const key = 'dvr';
    await packageTs(root, key, ts20, { segmentSeconds: 1, windowSegments: 3, dvrSeconds: 15 });
    const dir = path.join(root, 'live', key, 'source');
    const playlist = parseMediaPlaylist(await readFile(path.join(dir, 'index.m3u8'), 'utf8'))!;
    const kept = playlist.segments.reduce((sum, s) => sum + s.duration, 0);
    assert.ok(kept >= 15 && kept < 17, `kept ${kept.toFixed(2)} s for a 15 s window`);
    assert.ok(playlist.mediaSequence > 0, 'older segments still slide out');
    for (const s of playlist.segments) await readFile(path.join(dir, s.uri));
    // Without a DVR window the same feed keeps the live window only.
    await packageTs(root, 'nodvr', ts20, { segmentSeconds: 1, windowSegments: 3 });
    const live = parseMediaPlaylist(await readFile(path.join(root, 'live', 'nodvr', 'source', 'index.m3u8'), 'utf8'))!;
    assert.ok(live.segments.length <= 4, `live window: ${live.segments.length} segments`);
  });
});
