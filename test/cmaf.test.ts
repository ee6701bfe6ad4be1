import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AccessUnitAssembler } from '../control-plane/src/media/access-units/access-unit-assembler.js';
import type { Track } from '../control-plane/src/media/fmp4/tracks.js';
import { CmafSegmenter } from '../control-plane/src/media/segmenter/cmaf-segmenter.js';
import { TsDemuxer } from '../control-plane/src/media/ts/demuxer.js';
import { TS_PACKET_SIZE } from '../control-plane/src/media/ts/ts-packet.js';
import { decodeErrors, encodeTestTs, probe } from './support/media.js';

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
  const segmenter = new CmafSegmenter({
    segmentSeconds,
    partSeconds,
    onInit: (bytes, t) => {
      init = Buffer.from(bytes);
      tracks = t;
    },
    onPart: (part) => {
      open.push({ bytes: Buffer.from(part.bytes), durationSeconds: part.durationSeconds, independent: part.independent, startSeconds: elapsed });
      elapsed += part.durationSeconds;
    },
    onSegmentEnd: (segment) => {
      segments.push({ parts: open, durationSeconds: segment.durationSeconds, discontinuity: segment.discontinuity });
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
});
