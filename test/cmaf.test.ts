import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AccessUnitAssembler } from '../control-plane/src/media/access-units/access-unit-assembler.js';
import type { Track } from '../control-plane/src/media/fmp4/tracks.js';
import { FragmentBuilder } from '../control-plane/src/media/fmp4/fragment-builder.js';
import { CmafSegmenter } from '../control-plane/src/media/segmenter/cmaf-segmenter.js';
import { TsDemuxer } from '../control-plane/src/media/ts/demuxer.js';
import { TS_PACKET_SIZE } from '../control-plane/src/media/ts/ts-packet.js';
import { readdir, readFile } from 'node:fs/promises';
import { parseMediaPlaylist } from '../control-plane/src/media/playlist/media-playlist.js';
import { RenditionReports } from '../control-plane/src/media/output/rendition-reports.js';
import { StreamPackager } from '../control-plane/src/media/stream-packager.js';
import { decodeErrors, encodeTestTs, packageTs, probe } from './support/media.js';

interface Part {
  bytes: Buffer;
  durationSeconds: number;
  independent: boolean;
  /** Seconds from the stream's first segment start. */
  startSeconds: number;
}

interface Cut {
  init: Buffer;
  tracks: Track[];
  segments: { parts: Part[]; durationSeconds: number; discontinuity: boolean }[];
  partTargetSeconds: number;
}

/** The CMAF path as the packager will drive it: demuxer -> access units -> CMAF segmenter. */
function cutCmaf(ts: Buffer, segmentSeconds: number, partSeconds: number): Cut {
  const demuxer = new TsDemuxer();
  let init: Buffer | null = null;
  let tracks: Track[] = [];
  let open: Part[] = [];
  let elapsed = 0;
  const segments: Cut['segments'] = [];
  let discontinuity = false;
  const segmenter = new CmafSegmenter({
    segmentSeconds,
    partSeconds,
    targetDuration: Math.ceil(segmentSeconds) + 1,
    onInit: (bytes, t) => {
      init = Buffer.from(bytes);
      tracks = t;
    },
    onPart: (part) => {
      if (part.index === 0) discontinuity = part.discontinuity;
      assert.equal(part.index, open.length, 'parts are numbered from 0 within their segment');
      open.push({ bytes: Buffer.from(part.bytes), durationSeconds: part.durationSeconds, independent: part.independent, startSeconds: elapsed });
      elapsed += part.durationSeconds;
    },
    onSegmentEnd: (segment) => {
      segments.push({ parts: open, durationSeconds: segment.durationSeconds, discontinuity });
      open = [];
    },
  });
  const program = () => ({
    videoCodec: demuxer.videoCodec,
    videoFormat: demuxer.videoFormat,
    audioFormat: demuxer.audioFormat,
    audioDeclared: demuxer.audioPid >= 0,
  });
  const assembler = new AccessUnitAssembler((unit) => segmenter.push(unit, program()));
  for (let at = 0; at + TS_PACKET_SIZE <= ts.length; at += TS_PACKET_SIZE) {
    const packet = ts.subarray(at, at + TS_PACKET_SIZE);
    assembler.push(packet, demuxer.push(packet));
  }
  assembler.flush();
  segmenter.flush();
  assert.ok(init, 'an init segment was written');
  return { init, tracks, segments, partTargetSeconds: segmenter.partTargetSeconds ?? 0 };
}

/** Video frames ffprobe decodes in a file. */
function videoFrames(file: string): number {
  const result = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v', '-show_entries', 'stream=nb_read_frames', '-of', 'json', file], {
    encoding: 'utf8',
  });
  return Number(JSON.parse(result.stdout).streams[0].nb_read_frames);
}

function codecTags(file: string): string[] {
  const result = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_tag_string', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  return result.stdout.trim().split('\n');
}

describe('CMAF (fMP4) segments and LL-HLS parts from real ffmpeg output', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'hls-cmaf-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  for (const codec of ['h264', 'hevc'] as const) {
    it(`${codec}: init + parts decode cleanly with every frame; each segment is its parts concatenated and plays alone`, async () => {
      // A closed 1 s GOP (x265 defaults to open GOPs, whose CRA pictures are no place to start).
      const outputArgs = codec === 'hevc' ? ['-c:v', 'libx265', '-x265-params', 'log-level=error:open-gop=0:keyint=25:min-keyint=25:scenecut=0'] : [];
      const source = encodeTestTs(6, { gop: 25, size: '320x240', outputArgs });
      await writeFile(path.join(root, `${codec}.ts`), source);
      const cut = cutCmaf(source, 2, 0.2);

      assert.deepEqual(
        cut.tracks.map((t) => t.kind),
        ['video', 'audio'],
      );
      const whole = path.join(root, `${codec}.mp4`);
      await writeFile(whole, Buffer.concat([cut.init, ...cut.segments.flatMap((s) => s.parts.map((p) => p.bytes))]));
      assert.equal(decodeErrors(whole), '');
      const streams = probe(whole).streams;
      assert.deepEqual(
        streams.map((s) => [s.codec_type, s.codec_name]),
        [
          ['video', codec],
          ['audio', 'aac'],
        ],
      );
      assert.equal(streams[0].width, 320);
      assert.equal(streams[0].height, 240);
      assert.deepEqual(codecTags(whole), [codec === 'h264' ? 'avc1' : 'hvc1', 'mp4a']);
      // Every frame of the source but the last (its duration is unknown when the feed stops) is in the parts.
      const sourceFrames = videoFrames(path.join(root, `${codec}.ts`));
      assert.ok(Math.abs(videoFrames(whole) - sourceFrames) <= 1, `frames: ${videoFrames(whole)} of ${sourceFrames}`);

      assert.equal(cut.segments.length, 3);
      for (const [index, segment] of cut.segments.entries()) {
        const file = path.join(root, `${codec}-seg${index}.mp4`);
        await writeFile(file, Buffer.concat([cut.init, ...segment.parts.map((p) => p.bytes)]));
        assert.equal(decodeErrors(file), '', `segment ${index} decodes on its own`);
        const parts = segment.parts.reduce((sum, p) => sum + p.durationSeconds, 0);
        assert.ok(Math.abs(parts - segment.durationSeconds) < 1e-6, 'the parts add up to the segment');
      }
    });
  }

  it('parts: whole frames, every one but a segment last exactly PART-TARGET, none over it; INDEPENDENT exactly where a keyframe starts the part', () => {
    // 25 fps, a keyframe every 0.6 s (15 frames), segments of 2 s: 0.2 s parts are 5 frames.
    const cut = cutCmaf(encodeTestTs(5, { gop: 15, size: '320x240' }), 2, 0.2);
    assert.ok(Math.abs(cut.partTargetSeconds - 0.2) < 1e-9, `PART-TARGET ${cut.partTargetSeconds}`);
    for (const segment of cut.segments) {
      assert.equal(segment.parts[0].independent, true, 'a segment starts with an independent part');
      for (const [i, part] of segment.parts.entries()) {
        assert.ok(part.durationSeconds <= cut.partTargetSeconds + 1e-9, `part of ${part.durationSeconds} s`);
        if (i < segment.parts.length - 1) assert.ok(part.durationSeconds >= 0.85 * cut.partTargetSeconds, `part of ${part.durationSeconds} s`);
        const keyframeStart = Math.abs(part.startSeconds / 0.6 - Math.round(part.startSeconds / 0.6)) < 1e-6;
        assert.equal(part.independent, keyframeStart, `part at ${part.startSeconds.toFixed(3)} s`);
      }
    }
    // Segments start at the first keyframe at or after 2 s: 2.4 s (0.6 s GOPs).
    assert.ok(Math.abs(cut.segments[0].durationSeconds - 2.4) < 1e-6, `first segment ${cut.segments[0].durationSeconds} s`);
  });

  it('rounds the part target to whole frames: 0.2 s at 24 fps is 5 frames (0.208 s), never a part over it', () => {
    const cut = cutCmaf(encodeTestTs(4, { gop: 24, rate: 24, size: '320x240' }), 2, 0.2);
    assert.ok(Math.abs(cut.partTargetSeconds - 5 / 24) < 1e-6, `PART-TARGET ${cut.partTargetSeconds}`);
    const all = cut.segments.flatMap((s) => s.parts);
    assert.ok(all.length > 10);
    for (const part of all) assert.ok(part.durationSeconds <= cut.partTargetSeconds + 1e-6, `part of ${part.durationSeconds} s`);
  });

  it("a stream's LL variants report each other (EXT-X-RENDITION-REPORT): where the other's playlist had got when this one was written", async () => {
    const ts = encodeTestTs(6, { gop: 25, size: '320x240' });
    const reports = new RenditionReports();
    let clock = Date.parse('2026-11-24T12:00:00Z');
    const variants = ['source', 'small'].map(
      (variant) =>
        new StreamPackager({
          mediaRoot: root,
          key: 'reports',
          variant,
          reports,
          segmentSeconds: 2,
          windowSegments: 10,
          lowLatency: { partSeconds: 0.2 },
          now: () => clock,
        }),
    );
    for (const v of variants) await v.open();
    // Both fed the same TS chunk by chunk, as a stream's variants are fed side by side.
    for (let at = 0; at < ts.length; at += 1316) {
      for (const v of variants) v.push(ts.subarray(at, Math.min(at + 1316, ts.length)));
      clock += 5;
    }
    for (const v of variants) await v.output.drain();
    const playlist = (variant: string) => readFile(path.join(root, 'live', 'reports', variant, 'index.m3u8'), 'utf8');
    const reported = (text: string, other: string) => {
      const m = new RegExp(`^#EXT-X-RENDITION-REPORT:URI="\\.\\./${other}/index\\.m3u8",LAST-MSN=(\\d+),LAST-PART=(\\d+)$`, 'm').exec(text);
      assert.ok(m, `a report of ${other} in\n${text}`);
      return { msn: Number(m[1]), part: Number(m[2]) };
    };
    const [source, small] = [await playlist('source'), await playlist('small')];
    assert.doesNotMatch(source, /RENDITION-REPORT:URI="\.\.\/source\//, 'no variant reports itself');
    assert.doesNotMatch(small, /RENDITION-REPORT:URI="\.\.\/small\//, 'no variant reports itself');
    // Writes are queued per variant, so either may have written last: each reports where the other
    // had got, never past its end, and at most a segment behind it.
    for (const [text, other, end] of [
      [small, 'source', variants[0].output.position()],
      [source, 'small', variants[1].output.position()],
    ] as const) {
      const at = reported(text, other);
      assert.ok(at.msn * 1000 + at.part <= end.msn * 1000 + end.part, `${other} reported at ${JSON.stringify(at)}, ended at ${JSON.stringify(end)}`);
      assert.ok(at.msn >= end.msn - 1, `${other} reported at ${JSON.stringify(at)}, ended at ${JSON.stringify(end)}`);
    }
  });

  it('the packager in low-latency mode writes init, parts and segments with an LL-HLS playlist that keeps the spec rules', async () => {
    const positions: { msn: number; part: number }[] = [];
    const packager = await packageTs(root, 'll', encodeTestTs(18, { gop: 25, size: '320x240' }), {
      segmentSeconds: 2,
      lowLatency: { partSeconds: 0.2 },
      onPlaylist: (position) => positions.push(position),
    });
    const dir = path.join(root, 'live', 'll', 'source');
    const text = await readFile(path.join(dir, 'index.m3u8'), 'utf8');
    const playlist = parseMediaPlaylist(text)!;
    assert.match(text, /^#EXT-X-VERSION:6$/m);
    // fMP4 names carry the packaging run: seg<N>-<run>.<i>.m4s, seg<N>-<run>.m4s, init<N>-<run>.mp4.
    const init = /^#EXT-X-MAP:URI="(init0-([a-z0-9]+)\.mp4)"$/m.exec(text);
    assert.ok(init, text);
    const run = init[2];
    const partTarget = Number(/^#EXT-X-PART-INF:PART-TARGET=([\d.]+)$/m.exec(text)?.[1]);
    assert.equal(partTarget, 0.2);
    const control = /^#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=([\d.]+),HOLD-BACK=([\d.]+),PART-HOLD-BACK=([\d.]+)$/m.exec(text);
    assert.ok(control, text);
    assert.ok(Number(control[1]) >= 6 * playlist.targetDuration, 'CAN-SKIP-UNTIL >= 6 x TD');
    assert.ok(Number(control[2]) >= 3 * playlist.targetDuration, 'HOLD-BACK >= 3 x TD');
    assert.ok(Number(control[3]) >= 3 * partTarget - 1e-9, 'PART-HOLD-BACK >= 3 x PART-TARGET');
    assert.equal(playlist.targetDuration, 2);
    for (const s of playlist.segments) assert.ok(Math.round(s.duration) <= playlist.targetDuration, `EXTINF ${s.duration}`);
    // The parts listed, grouped by segment: each segment file is exactly its parts, concatenated.
    const parts = [...text.matchAll(/^#EXT-X-PART:DURATION=([\d.]+),URI="seg(\d+)-[a-z0-9]+\.(\d+)\.m4s"(,INDEPENDENT=YES)?$/gm)];
    assert.ok(parts.length >= 10, `${parts.length} parts listed`);
    for (const p of parts) assert.ok(Number(p[1]) <= partTarget, `part of ${p[1]} s`);
    const bySegment = new Map<number, RegExpExecArray[]>();
    for (const p of parts) bySegment.set(Number(p[2]), [...(bySegment.get(Number(p[2])) ?? []), p]);
    for (const [msn, list] of bySegment) {
      assert.equal(list[0][4], ',INDEPENDENT=YES', `seg${msn}.0 starts with a keyframe`);
      if (!playlist.segments.some((s) => s.uri === `seg${msn}-${run}.m4s`)) continue; // the last one, still being cut when the feed ended
      const joined = Buffer.concat(await Promise.all(list.map((p) => readFile(path.join(dir, `seg${msn}-${run}.${p[3]}.m4s`)))));
      assert.ok(joined.equals(await readFile(path.join(dir, `seg${msn}-${run}.m4s`))), `seg${msn} is its parts`);
      const playable = path.join(root, `ll-${msn}.mp4`);
      await writeFile(playable, Buffer.concat([await readFile(path.join(dir, init[1])), joined]));
      assert.equal(decodeErrors(playable), '', `seg${msn} decodes after the init segment`);
    }
    // Parts of older segments leave the playlist (more than 3 target durations from its end), their files stay for now.
    assert.ok(!text.includes(`seg0-${run}.0.m4s`), 'old parts unlisted');
    assert.ok((await readdir(dir)).includes(`seg0-${run}.0.m4s`), 'old part files still downloadable');
    // Every rewrite told where the playlist had got to, in order.
    assert.ok(positions.length > parts.length);
    for (let i = 1; i < positions.length; i++) {
      const [a, b] = [positions[i - 1], positions[i]];
      assert.ok(b.msn > a.msn || (b.msn === a.msn && b.part >= a.part), `position ${JSON.stringify(a)} -> ${JSON.stringify(b)}`);
    }
    // The delta update beside it: segments ending more than CAN-SKIP-UNTIL (12 s) before the end are skipped.
    const delta = await readFile(path.join(dir, 'index.delta.m3u8'), 'utf8');
    const skipped = Number(/^#EXT-X-SKIP:SKIPPED-SEGMENTS=(\d+)$/m.exec(delta)?.[1]);
    let fromEnd = 0;
    let expected = 0;
    for (let i = playlist.segments.length - 1; i >= 0; i--) {
      if (fromEnd > Number(control[1])) {
        expected = i + 1;
        break;
      }
      fromEnd += playlist.segments[i].duration;
    }
    assert.ok(expected > 0, 'the window is longer than the skip boundary');
    assert.equal(skipped, expected);
    assert.match(delta, /^#EXT-X-VERSION:9$/m);
    assert.deepEqual(
      parseMediaPlaylist(delta)!.segments.map((s) => s.uri),
      playlist.segments.slice(skipped).map((s) => s.uri),
    );
    assert.equal(delta.slice(delta.indexOf('#EXT-X-PART-INF')).split('#EXT-X-SKIP')[0], text.slice(text.indexOf('#EXT-X-PART-INF')).split('#EXT-X-MAP')[0]);
    const master = await readFile(path.join(root, 'live', 'll', 'index.m3u8'), 'utf8');
    assert.match(master, /CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"/);
    assert.match(master, /FRAME-RATE=25\.000/);
    assert.equal(packager.stats().writeFailures, 0);
  });

  it('a fragment of more samples than its tables start with (64) keeps every sample: trun lists each with its size and duration', () => {
    const audio: Track = { kind: 'audio', id: 1, format: { codecs: 'mp4a.40.2', sampleRate: 48000, channels: 2, specificConfig: Uint8Array.of(0x11, 0x90) } };
    const builder = new FragmentBuilder([audio]);
    for (let i = 0; i < 150; i++) builder.addAudio(0, 1000 + i * 1024, new Uint8Array(10 + i));
    const bytes = builder.finish(7);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const trun = Buffer.from(bytes).indexOf('trun') - 4;
    assert.equal(view.getUint32(trun + 12), 150, 'sample_count');
    for (let i = 0; i < 150; i++) {
      const entry = trun + 20 + i * 16; // duration, size, flags, composition offset
      assert.equal(view.getUint32(entry), 1024);
      assert.equal(view.getUint32(entry + 4), 10 + i);
    }
    const mdat = Buffer.from(bytes).indexOf('mdat') - 4;
    assert.equal(view.getUint32(mdat), 8 + Array.from({ length: 150 }, (_, i) => 10 + i).reduce((a, b) => a + b, 0));
    assert.equal(view.getUint32(trun + 16), mdat + 8, 'data_offset points at the first sample');
  });
});
