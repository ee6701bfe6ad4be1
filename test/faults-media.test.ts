import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseMediaPlaylist } from '../control-plane/src/media/playlist/media-playlist.js';
import { StreamPackager } from '../control-plane/src/media/stream-packager.js';
import { packageTs } from './support/media.js';

/** MPEG-TS from real ffmpeg with the given inputs and encoder options. */
function ffmpegTs(args: string[]): Buffer {
  const result = spawnSync('ffmpeg', ['-v', 'error', ...args, '-f', 'mpegts', '-'], { maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`ffmpeg failed: ${result.stderr}`);
  return result.stdout;
}

const VIDEO = (seconds: number, x264: string[] = ['-g', '25']) => ({
  input: ['-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=25:duration=${seconds}`],
  codec: ['-c:v', 'libx264', '-preset', 'ultrafast', ...x264, '-pix_fmt', 'yuv420p'],
});
const AUDIO = (seconds: number) => ({
  input: ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`],
  codec: ['-c:a', 'aac', '-b:a', '64k'],
});

/** Packages TS fed as fast as it comes (no real-time pacing: the hostile case); what it published. */
async function published(root: string, key: string, ts: Buffer) {
  const packager = await packageTs(root, key, ts, { segmentSeconds: 2, windowSegments: 1000 });
  const dir = path.join(root, 'live', key, 'source');
  const playlist = parseMediaPlaylist(await readFile(path.join(dir, 'index.m3u8'), 'utf8'))!;
  const master = await readFile(path.join(root, 'live', key, 'index.m3u8'), 'utf8');
  const sizes = await Promise.all(playlist.segments.map(async (s) => (await stat(path.join(dir, s.uri))).size));
  return { packager, playlist, master, sizes };
}

/** Fault suite, media side: feeds that lose a track, never send an IDR, or have no video at all. */
describe('faults: one-sided and keyframe-less feeds', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'hls-faults-media-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('video stops after 3 s while audio goes on for 60 s: the stream goes on as audio, every EXTINF its real length, memory bounded', async () => {
    const video = VIDEO(3);
    const audio = AUDIO(60);
    const ts = ffmpegTs([...video.input, ...audio.input, ...video.codec, ...audio.codec]);
    const { packager, playlist, sizes } = await published(root, 'videostops', ts);
    // (ffmpeg's muxer may let audio run ahead of the last video frames, which then count as video coming back.)
    assert.ok(packager.stats().videoGaps >= 1, `video gaps: ${packager.stats().videoGaps}`);
    const target = playlist.targetDuration;
    for (const s of playlist.segments) assert.ok(s.duration <= target + 0.5, `EXTINF ${s.duration} within the target duration ${target}`);
    const total = playlist.segments.reduce((sum, s) => sum + s.duration, 0);
    // Everything but the stretch that told us the video had stopped (2 target durations) and a frame or two.
    assert.ok(total > 60 - 2 * target - 1 && total <= 60.1, `published ${total.toFixed(2)} s of 60`);
    assert.ok(Math.max(...sizes) < 1024 * 1024, `largest segment ${Math.max(...sizes)} bytes`);
    assert.ok(
      playlist.segments.some((s) => s.discontinuity),
      'the switch to audio is a discontinuity',
    );
  });

  it('low latency: video stops after 3 s while audio goes on for 40 s: the open segment is published, the gap counted, nothing grows', async () => {
    const video = VIDEO(3);
    const audio = AUDIO(40);
    const ts = ffmpegTs([...video.input, ...audio.input, ...video.codec, ...audio.codec]);
    const packager = await packageTs(root, 'll-videostops', ts, { segmentSeconds: 2, windowSegments: 1000, lowLatency: { partSeconds: 0.2 } });
    assert.ok(packager.stats().videoGaps >= 1, `video gaps: ${packager.stats().videoGaps}`);
    const dir = path.join(root, 'live', 'll-videostops', 'source');
    const playlist = parseMediaPlaylist(await readFile(path.join(dir, 'index.m3u8'), 'utf8'))!;
    const total = playlist.segments.reduce((sum, s) => sum + s.duration, 0);
    assert.ok(total > 2 && total < 4, `published ${total.toFixed(2)} s: the video's 3 s, not the audio's 40`);
    for (const s of playlist.segments) assert.ok(Math.round(s.duration) <= playlist.targetDuration, `EXTINF ${s.duration}`);
    const sizes = await Promise.all(playlist.segments.map(async (s) => (await stat(path.join(dir, s.uri))).size));
    assert.ok(Math.max(...sizes) < 1024 * 1024, `largest segment ${Math.max(...sizes)} bytes`);
  });

  it('an encoder that never sends an IDR (x264 intra-refresh): segments are cut by time, counted, and the master does not claim independent segments', async () => {
    const video = VIDEO(12, ['-x264-params', 'intra-refresh=1:keyint=250']);
    const audio = AUDIO(12);
    const ts = ffmpegTs([...video.input, ...audio.input, ...video.codec, ...audio.codec]);
    const { packager, playlist, master } = await published(root, 'norefresh', ts);
    assert.ok(packager.stats().forcedCuts >= 3, `cuts without a keyframe: ${packager.stats().forcedCuts}`);
    for (const s of playlist.segments) assert.ok(s.duration <= playlist.targetDuration + 0.5, `EXTINF ${s.duration}`);
    assert.doesNotMatch(master, /EXT-X-INDEPENDENT-SEGMENTS/);

    // A well-behaved feed keeps the claim.
    const normal = VIDEO(6);
    const { master: good } = await published(root, 'withidr', ffmpegTs([...normal.input, ...AUDIO(6).input, ...normal.codec, ...AUDIO(6).codec]));
    assert.match(good, /^#EXT-X-INDEPENDENT-SEGMENTS$/m);
  });

  it('an audio-only stream reports no frame rate', async () => {
    const audio = AUDIO(8);
    const { packager, master } = await published(root, 'audioonly', ffmpegTs([...audio.input, ...audio.codec]));
    assert.equal(packager.stats().format.frameRate, null);
    assert.doesNotMatch(master, /FRAME-RATE/);
  });

  it('a segment that outgrows the per-segment memory cap is dropped and counted; the stream goes on after a discontinuity', async () => {
    // Seconds 4-6 are noise at a constant quantiser: about 1.9 MB a second against 0.11 MB for the rest.
    const noisy = ffmpegTs([
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x240:rate=25:duration=12',
      '-vf',
      "noise=alls=100:allf=t+u:enable='between(t,4,6)'",
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-qp',
      '20',
      '-g',
      '25',
      '-pix_fmt',
      'yuv420p',
    ]);
    const cap = 1024 * 1024;
    const packager = await packageTs(root, 'oversize', noisy, { segmentSeconds: 2, windowSegments: 1000, maxSegmentBytes: cap });
    const dir = path.join(root, 'live', 'oversize', 'source');
    const playlist = parseMediaPlaylist(await readFile(path.join(dir, 'index.m3u8'), 'utf8'))!;
    const sizes = await Promise.all(playlist.segments.map(async (s) => (await stat(path.join(dir, s.uri))).size));
    assert.ok(packager.stats().oversizeDrops >= 1, `oversize drops: ${packager.stats().oversizeDrops}`);
    assert.ok(Math.max(...sizes) <= cap, `largest published segment ${Math.max(...sizes)} bytes`);
    const total = playlist.segments.reduce((sum, s) => sum + s.duration, 0);
    assert.ok(total >= 6 && total <= 10.1, `published ${total.toFixed(2)} s of 12 (the noisy stretch dropped)`);
    const after = playlist.segments.findIndex((s, i) => i > 0 && s.discontinuity);
    assert.ok(after > 0 && after < playlist.segments.length, 'the segment after the dropped one starts a discontinuity');
  });

  it('segments that come faster than they can be written are dropped past the queue cap, counted, and leave a discontinuity', async () => {
    const ts = ffmpegTs([...VIDEO(16).input, ...VIDEO(16).codec]);
    let clock = Date.parse('2026-11-24T12:00:00Z');
    // A cap of about one segment (~200 KB): what a synchronous burst queues beyond it is dropped.
    const packager = new StreamPackager({
      mediaRoot: root,
      key: 'burst',
      segmentSeconds: 2,
      windowSegments: 1000,
      maxQueuedBytes: 256 * 1024,
      now: () => clock,
    });
    await packager.open();
    const half = Math.floor(ts.length / 2 / 188) * 188;
    for (let at = 0; at < half; at += 1316) {
      packager.push(ts.subarray(at, Math.min(at + 1316, half)));
      clock += 5;
    }
    const burst = packager.stats();
    assert.ok(burst.writeFailures >= 1, `segments dropped in the burst: ${burst.writeFailures}`);
    assert.match(burst.writeError ?? '', /writes fall behind the feed/);
    await packager.output.drain();
    // The disk catches up: paced segments are written again and the error clears.
    for (let at = half; at < ts.length; at += 1316) {
      packager.push(ts.subarray(at, Math.min(at + 1316, ts.length)));
      clock += 5;
      await packager.output.drain();
    }
    packager.flush();
    await packager.output.drain();
    const playlist = parseMediaPlaylist(await readFile(path.join(root, 'live', 'burst', 'source', 'index.m3u8'), 'utf8'))!;
    assert.equal(packager.stats().writeError, null);
    assert.ok(packager.stats().segmentsWritten >= 3, `segments written: ${packager.stats().segmentsWritten}`);
    assert.ok(
      playlist.segments.slice(1).some((s) => s.discontinuity),
      'the dropped segments leave a discontinuity',
    );
  });
});
