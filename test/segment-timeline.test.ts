import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { WrittenSegment } from '../control-plane/src/media/output/live-output.js';
import { parseMediaPlaylist } from '../control-plane/src/media/playlist/media-playlist.js';
import { SegmentTimeline } from '../control-plane/src/media/segmenter/segment-timeline.js';
import { encodeTestTs, packageTs } from './support/media.js';

describe('segment timeline: where the source cut, shared with its rungs', () => {
  it('knows the source starts, says "not here" only where the source has been, and keeps date-times', () => {
    const t = new SegmentTimeline();
    assert.equal(t.startsSegment(1000), null, 'nothing known: the rung decides');
    t.markStart(90_000);
    t.markStart(270_000);
    assert.equal(t.startsSegment(270_000), true);
    assert.equal(t.startsSegment(180_000), false, 'the source passed it without cutting');
    assert.equal(t.startsSegment(360_000), null, 'the source has not got there');
    assert.equal(t.programDateAt(270_000), null, 'no date-time until the segment is out');
    t.setProgramDate(270_000, 1_700_000_000_000);
    assert.equal(t.programDateAt(270_000), 1_700_000_000_000);
    // PTS wrap: a rung whose demuxer unwrapped once more still matches.
    assert.equal(t.startsSegment(270_000 + 2 ** 33), true);
    t.setProgramDate(999, 5);
    assert.equal(t.programDateAt(999), null, 'only for a start the source marked');
  });
  it("keeps the source's media sequence numbers, and lists what a rung missed only when all of it is known", () => {
    const t = new SegmentTimeline();
    for (const [i, pts] of [0, 180_000, 360_000, 540_000].entries()) {
      t.markStart(pts);
      t.setProgramDate(pts, 1_000_000 + i * 2000);
    }
    assert.equal(t.sequenceAt(180_000), null, 'not numbered yet');
    t.setSequence(0, 7, 2);
    t.setSequence(180_000, 8); // numbered at its first part, its duration not known yet
    assert.equal(t.sequenceAt(180_000), 8);
    assert.equal(t.missedBetween(7, 9), null, 'segment 8 has no duration yet');
    t.setSequence(180_000, 8, 2.5);
    t.setSequence(360_000, 9, 1.5);
    assert.deepEqual(t.missedBetween(7, 10), [
      { mediaSequence: 7, programDateMs: 1_000_000, durationSeconds: 2 },
      { mediaSequence: 8, programDateMs: 1_002_000, durationSeconds: 2.5 },
      { mediaSequence: 9, programDateMs: 1_004_000, durationSeconds: 1.5 },
    ]);
    assert.deepEqual(t.missedBetween(8, 8), []);
    assert.equal(t.missedBetween(9, 11), null, 'segment 10 was never numbered');
    assert.equal(t.sequenceAt(999), null);
    t.setSequence(999, 3, 1);
    assert.equal(t.sequenceAt(999), null, 'only for a start the source marked');
  });
});

/** PTS (90 kHz) of a TS file's first video packet. */
function firstVideoPts(file: string): number {
  const result = spawnSync(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts', '-read_intervals', '%+#1', '-of', 'csv=p=0', file],
    {
      encoding: 'utf8',
    },
  );
  return parseInt(result.stdout.trim().split('\n')[0], 10);
}

/** A rung as the transcoder makes it: keyframes where the source has them, the source's PTS. */
function transcodeLikeTheLadder(sourceFile: string): Buffer {
  const encode = spawnSync('ffmpeg', [
    ...['-v', 'error', '-copyts', '-i', sourceFile, '-c:v', 'libx264', '-preset', 'veryfast', '-force_key_frames', 'source', '-sc_threshold', '0'],
    // As the transcoder does (ladder-args.ts): x264 at a 1/25 s time base would round PTS 18.7 ms off.
    ...['-enc_time_base:v', '1:90000', '-fps_mode:v', 'vfr'],
    ...['-g', '600', '-s', '160x120', '-c:a', 'copy', '-mpegts_copyts', '1', '-f', 'mpegts', 'pipe:1'],
  ]);
  assert.equal(encode.status, 0, String(encode.stderr));
  return encode.stdout;
}

describe('an ABR rung that joins mid-GOP cuts where the source cut, with its date-times (real ffmpeg)', () => {
  let root: string;
  let source: Buffer;
  let rung: Buffer;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'hls-timeline-'));
    // Keyframes every second, segments of three: the source cuts at every third keyframe.
    source = encodeTestTs(10, { gop: 25, size: '320x240' });
    const sourceFile = path.join(root, 'source.ts');
    await writeFile(sourceFile, source);
    const encoded = transcodeLikeTheLadder(sourceFile);
    // Joined (or restarted) 1.5 s in: its first keyframe is at 2 s, where the source did not cut.
    const joinAt = Math.floor((encoded.length * 0.15) / 188) * 188;
    rung = encoded.subarray(joinAt);
  });
  after(() => rm(root, { recursive: true, force: true }));

  const starts = async (key: string, variant: string) => {
    const dir = path.join(root, 'live', key, variant);
    const playlist = parseMediaPlaylist(await readFile(path.join(dir, 'index.m3u8'), 'utf8'))!;
    return playlist.segments.map((s, i) => ({
      msn: playlist.mediaSequence + i,
      gap: s.gap === true,
      duration: s.duration,
      pts: s.gap ? NaN : firstVideoPts(path.join(dir, s.uri)),
      pdt: s.programDateTime!.getTime(),
    }));
  };

  it('MPEG-TS: every rung segment starts at a source segment start and carries its date-time; without the timeline it would not', async () => {
    const shared = new SegmentTimeline();
    await packageTs(root, 'ts', source, { segmentSeconds: 3, timeline: { shared, lead: true } });
    // The rung's clock runs its own way (it is behind by the transcoding delay): it must not show.
    await packageTs(root, 'ts', rung, { segmentSeconds: 3, variant: 'r', timeline: { shared, lead: false } });
    const src = await starts('ts', 'source');
    const r = await starts('ts', 'r');
    assert.ok(r.length >= 2, `${r.length} rung segments`);
    for (const seg of r) {
      const twin = src.find((s) => s.pts === seg.pts);
      assert.ok(twin, `rung segment at ${seg.pts} starts where a source segment does (${src.map((s) => s.pts)})`);
      assert.equal(seg.pdt, twin.pdt, 'the same EXT-X-PROGRAM-DATE-TIME');
      assert.equal(seg.msn, twin.msn, 'the same media sequence number');
    }
    assert.ok(r[0].msn > 0, 'the rung joined late: its playlist starts at the source number, not 0');
    // The same rung on its own rule: begins at its first keyframe, off the source's cut points.
    await packageTs(root, 'ts', rung, { segmentSeconds: 3, variant: 'alone' });
    const alone = await starts('ts', 'alone');
    assert.ok(
      alone.some((seg) => !src.some((s) => s.pts === seg.pts)),
      `without the timeline a segment starts off the source's cuts (${alone.map((s) => s.pts)} vs ${src.map((s) => s.pts)})`,
    );
  });

  it('CMAF with parts: the same, the segment starts told to onSegment', async () => {
    const shared = new SegmentTimeline();
    const written: Record<string, WrittenSegment[]> = { source: [], r: [] };
    const ll = { segmentSeconds: 3, lowLatency: { partSeconds: 0.5 } };
    await packageTs(root, 'cmaf', source, { ...ll, timeline: { shared, lead: true }, onSegment: (s) => written.source.push(s) });
    await packageTs(root, 'cmaf', rung, { ...ll, variant: 'r', timeline: { shared, lead: false }, onSegment: (s) => written.r.push(s) });
    const pdts = async (variant: string) =>
      parseMediaPlaylist(await readFile(path.join(root, 'live', 'cmaf', variant, 'index.m3u8'), 'utf8'))!.segments.map((s) => s.programDateTime!.getTime());
    const [srcPdt, rPdt] = [await pdts('source'), await pdts('r')];
    assert.ok(written.r.length >= 2, `${written.r.length} rung segments`);
    for (const [i, seg] of written.r.entries()) {
      const j = written.source.findIndex((s) => s.startPts === seg.startPts);
      assert.ok(j >= 0, `rung segment at ${seg.startPts} starts where a source segment does (${written.source.map((s) => s.startPts)})`);
      assert.equal(rPdt[i], srcPdt[j], 'the same EXT-X-PROGRAM-DATE-TIME');
      assert.equal(seg.mediaSequence, written.source[j].mediaSequence, 'the same media sequence number (its parts are named with it)');
    }
    // Parts are named with their segment's number: the source's.
    const text = await readFile(path.join(root, 'live', 'cmaf', 'r', 'index.m3u8'), 'utf8');
    const partNumbers = [...text.matchAll(/^#EXT-X-PART:.*URI="seg(\d+)-/gm)].map((m) => Number(m[1]));
    assert.ok(partNumbers.length > 0, 'parts listed');
    for (const n of partNumbers)
      assert.ok(
        written.source.some((s) => s.mediaSequence === n),
        `part of segment ${n}: a source number`,
      );
  });

  it("a rung that loses a span (a transcoder restart) lists the segments it has not got as EXT-X-GAP, its numbers still the source's", async () => {
    // 20 s, keyframes every second, 3 s segments; the rung loses 5 s to 12 s (a new timeline after).
    const long = encodeTestTs(20, { gop: 25, size: '320x240' });
    const longFile = path.join(root, 'long.ts');
    await writeFile(longFile, long);
    const longRung = transcodeLikeTheLadder(longFile);
    const cut = (share: number) => Math.floor((longRung.length * share) / 188) * 188;
    const holed = Buffer.concat([longRung.subarray(0, cut(0.25)), longRung.subarray(cut(0.6))]);
    const shared = new SegmentTimeline();
    await packageTs(root, 'gap', long, { segmentSeconds: 3, timeline: { shared, lead: true } });
    await packageTs(root, 'gap', holed, { segmentSeconds: 3, variant: 'r', timeline: { shared, lead: false } });
    const src = await starts('gap', 'source');
    const r = await starts('gap', 'r');
    const gaps = r.filter((s) => s.gap);
    assert.ok(gaps.length >= 1, `a gap listed: ${JSON.stringify(r)}`);
    for (const seg of r) {
      const twin = src.find((s) => s.msn === seg.msn);
      assert.ok(twin, `source has segment ${seg.msn}`);
      assert.equal(seg.pdt, twin.pdt, `segment ${seg.msn}: the source's date-time`);
      if (seg.gap) assert.equal(seg.duration.toFixed(3), twin.duration.toFixed(3), `gap ${seg.msn}: the source's duration`);
      else assert.equal(seg.pts, twin.pts, `segment ${seg.msn}: the source's start`);
    }
    const after = r.findIndex((s, i) => i > 0 && !s.gap && r[i - 1].gap);
    assert.ok(after > 0 && r.length - after >= 2, `media again after the gap: ${JSON.stringify(r)}`);
    const text = await readFile(path.join(root, 'live', 'gap', 'r', 'index.m3u8'), 'utf8');
    assert.equal((text.match(/^#EXT-X-GAP$/gm) ?? []).length, gaps.length);
    assert.match(text, /#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:[^\n]+\n#EXTINF/, 'the restarted media starts with a discontinuity');
    // No file behind a gap's URI.
    for (const seg of parseMediaPlaylist(text)!.segments.filter((s) => s.gap))
      await assert.rejects(readFile(path.join(root, 'live', 'gap', 'r', seg.uri)), /ENOENT/);
  });
});
