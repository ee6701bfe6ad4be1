import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { StreamIngest } from '../control-plane/src/ingest/stream-ingest.js';
import { MasterWriter } from '../control-plane/src/media/output/master-writer.js';
import { SegmentTimeline } from '../control-plane/src/media/segmenter/segment-timeline.js';
import type { PackagerStats } from '../control-plane/src/media/stream-packager.js';
import { transcoderArgs } from '../control-plane/src/media/transcode/ladder-args.js';
import { Ladder } from '../control-plane/src/media/transcode/ladder.js';
import { Transcoder } from '../control-plane/src/media/transcode/transcoder.js';
import { TsRealigner } from '../control-plane/src/media/ts/ts-realigner.js';
import { freeUdpPortBlock } from './support/ports.js';
import { eventually } from './support/system.js';
import { decodeErrors, encodeTestTs, probe } from './support/media.js';

/** Video keyframes' PTS (90 kHz) of a TS file, in order. */
function keyframePts(file: string): number[] {
  const result = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts,flags', '-of', 'csv=p=0', file], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout
    .split('\n')
    .filter((line) => /,K/.test(line))
    .map((line) => Number(line.split(',')[0]));
}

describe('TS realigner: pipe chunks of any length become whole packets', () => {
  it('hands on every byte once, in order, in whole 188-byte packets, whatever the chunking', () => {
    const input = Buffer.alloc(188 * 50);
    for (let i = 0; i < input.length; i++) input[i] = i % 188 === 0 ? 0x47 : (i * 7) & 0xff;
    for (const sizes of [[1], [187], [188], [189], [1000, 3], [376, 1, 187, 5000]]) {
      const realigner = new TsRealigner();
      const out: Buffer[] = [];
      let at = 0;
      for (let k = 0; at < input.length; k++) {
        const size = sizes[k % sizes.length];
        realigner.push(input.subarray(at, at + size), (packets) => {
          assert.equal(packets.length % 188, 0, `chunks of ${sizes}`);
          out.push(Buffer.from(packets)); // copied: the realigner reuses its buffer
        });
        at += size;
      }
      assert.ok(Buffer.concat(out).equals(input), `chunks of ${sizes}`);
    }
  });
});

describe('transcoder: one ffmpeg makes the ladder from the repaired TS', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hls-transcode-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const ladder = [
    { name: '270p', width: 480, height: 270, videoKbps: 700 },
    { name: '180p', width: 320, height: 180, videoKbps: 400 },
  ];

  it('ffmpeg arguments: decode once, one scaler and one encoder per rung, keyframes only where the source has them, audio copied', () => {
    const args = transcoderArgs(ladder).join(' ');
    assert.match(args, /-filter_complex \[0:v:0\]split=2\[in0\]\[in1\];\[in0\]scale=480:270\[out0\];\[in1\]scale=320:180\[out1\]/);
    assert.equal(args.match(/-force_key_frames source -sc_threshold 0/g)?.length, 2);
    assert.match(args, /pipe:3 .*pipe:4$/);
    assert.throws(() => transcoderArgs([]), /without rungs/);
  });

  it('every rung decodes cleanly at its size, with the audio, and its keyframes at exactly the source’s PTS', async () => {
    // 640x360, a keyframe every second (25 frames), 6 s, with a PTS offset as a live feed has: off
    // the 25 fps grid (1000.0133 s), which an encoder working in 1/25 s would round away.
    const source = encodeTestTs(6, { size: '640x360', gop: 25, outputArgs: ['-output_ts_offset', '1000.0133'] });
    writeFileSync(path.join(dir, 'source.ts'), source);
    const outputs: Buffer[][] = ladder.map(() => []);
    const transcoder = new Transcoder({ rungs: ladder, onRungData: (rung, bytes) => outputs[rung].push(bytes), maxBufferedBytes: 64 * 1024 * 1024 });
    transcoder.start();
    await eventually(async () => (transcoder.status.state === 'running' ? true : undefined), 10_000, 'ffmpeg running');
    for (let at = 0; at < source.length; at += 188 * 7) transcoder.write(source.subarray(at, at + 188 * 7));
    await transcoder.endInput();
    assert.equal(transcoder.status.droppedBytes, 0);
    assert.equal(transcoder.status.restarts, 0);
    // ffmpeg's -progress speed (x real time), fed faster than real time here.
    assert.ok((transcoder.status.speed ?? 0) > 1, `speed ${transcoder.status.speed}`);
    const sourceKeyframes = keyframePts(path.join(dir, 'source.ts'));
    assert.equal(sourceKeyframes.length, 6, `source keyframes ${sourceKeyframes}`);
    ladder.forEach((rung, i) => {
      const file = path.join(dir, `${rung.name}.ts`);
      writeFileSync(file, Buffer.concat(outputs[i]));
      assert.equal(decodeErrors(file), '', `${rung.name} decodes without a line of error`);
      const streams = probe(file).streams;
      const video = streams.find((s) => s.codec_type === 'video')!;
      assert.deepEqual([video.width, video.height], [rung.width, rung.height]);
      assert.ok(
        streams.some((s) => s.codec_type === 'audio' && s.codec_name === 'aac'),
        `${rung.name} carries the source's AAC`,
      );
      assert.deepEqual(keyframePts(file), sourceKeyframes, `${rung.name} keyframes at the source's PTS`);
    });
  });

  it('killed, ffmpeg is started again after its back-off, and the status says what happened', async () => {
    let restarted = 0;
    const transcoder = new Transcoder({ rungs: ladder, onRungData: () => undefined, onRestart: () => restarted++, backoffMs: 100 });
    transcoder.start();
    try {
      await eventually(async () => (transcoder.status.state === 'running' && transcoder.pid ? true : undefined), 10_000, 'ffmpeg running');
      const first = transcoder.pid!;
      process.kill(first, 'SIGKILL');
      await eventually(async () => (transcoder.status.restarts === 1 && transcoder.status.state === 'running' ? true : undefined), 10_000, 'restarted');
      assert.notEqual(transcoder.pid, first);
      assert.equal(restarted, 1);
      assert.match(transcoder.status.lastError ?? '', /SIGKILL/);
      // While it is away, input is counted as dropped, not queued without bound.
      process.kill(transcoder.pid!, 'SIGSTOP');
      const chunk = Buffer.alloc(188 * 1000, 0x47);
      for (let i = 0; i < 40; i++) transcoder.write(chunk);
      assert.ok(transcoder.status.droppedBytes > 0, 'a stalled ffmpeg makes the transcoder drop input');
      process.kill(transcoder.pid!, 'SIGCONT');
    } finally {
      await transcoder.stop();
    }
    assert.equal(transcoder.status.state, 'stopped');
  });

  it('an ffmpeg that cannot run is reported and retried, not thrown', async () => {
    const transcoder = new Transcoder({ rungs: ladder, onRungData: () => undefined, binary: '/nonexistent/ffmpeg', backoffMs: 50, maxBackoffMs: 100 });
    transcoder.start();
    await eventually(async () => (transcoder.status.restarts >= 2 ? true : undefined), 10_000, 'retried');
    assert.match(transcoder.status.lastError ?? '', /cannot run ffmpeg/);
    await transcoder.stop();
    assert.equal(transcoder.status.state, 'stopped');
  });
});

describe('ladder status', () => {
  it('lists the source first as the reference, and reports a rung larger than the source (an upscale the API could not refuse)', () => {
    const ladderUnderTest = new Ladder({
      rungs: [
        { name: '1080p', width: 1920, height: 1080, videoKbps: 6000 },
        { name: '360p', width: 640, height: 360, videoKbps: 800 },
      ],
      packaging: { mediaRoot: os.tmpdir(), key: 'status', segmentSeconds: 2, windowSegments: 6 },
      master: new MasterWriter(os.tmpdir()),
      timeline: new SegmentTimeline(),
      quality: { intervalMs: 60_000, sourceSize: () => null },
    });
    const source = {
      segmentsWritten: 7,
      writeFailures: 0,
      lastSegmentAt: null,
      format: { width: 1280, height: 720, videoCodecs: null, audioCodecs: null, frameRate: null },
    } as unknown as PackagerStats;
    const rungs = ladderUnderTest.status(source).rungs;
    assert.deepEqual(
      rungs.map((r) => [r.name, r.passthrough, r.aboveSource, r.quality.ssim]),
      [
        ['source', true, false, 1],
        ['1080p', false, true, null],
        ['360p', false, false, null],
      ],
    );
    assert.equal(rungs[0].segmentsWritten, 7);
  });
});

describe('stream ingest with a ladder', () => {
  it('plain UDP MPEG-TS feeds the transcoder too, not only RTP (every rung writes segments)', async () => {
    const mediaRoot = mkdtempSync(path.join(os.tmpdir(), 'hls-udp-ladder-'));
    const port = await freeUdpPortBlock();
    const ingest = new StreamIngest(
      {
        id: 'u',
        key: 'udpladder',
        protocol: 'udp',
        port,
        srt: null,
        rtmp: null,
        rist: null,
        fec: null,
        allowedSources: [],
        segmentSeconds: 1,
        windowSegments: 10,
        dvrSeconds: 0,
        partSeconds: null,
        renditions: [{ name: '120p', width: 160, height: 120, videoKbps: 150 }],
      },
      { mediaRoot, qualityProbeSeconds: 3600, rtmpPlayBase: 'rtmp://127.0.0.1:1935/live' },
      { log: () => undefined, warn: () => undefined },
    );
    const sender = dgram.createSocket('udp4');
    try {
      await ingest.start();
      const ts = encodeTestTs(6, { gop: 25, size: '320x240' });
      // Paced a little (about 4x real time): a burst would overflow the socket buffer, not test anything.
      for (let at = 0; at < ts.length; at += 1316) {
        await new Promise<void>((resolve) => sender.send(ts.subarray(at, Math.min(at + 1316, ts.length)), port, '127.0.0.1', () => resolve()));
        if ((at / 1316) % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await eventually(
        async () => {
          const rungs = ingest.status(Date.now()).ladder!.rungs;
          return rungs.every((r) => r.segmentsWritten >= 2) ? true : undefined;
        },
        30_000,
        'the source and the rung write segments',
      );
    } finally {
      sender.close();
      await ingest.stop(true);
      rmSync(mediaRoot, { recursive: true, force: true });
    }
  });
});
