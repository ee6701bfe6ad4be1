import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { WrittenSegment } from '../control-plane/src/media/output/live-output.js';
import { QualityMonitor, RungQuality } from '../control-plane/src/media/quality/quality-monitor.js';
import { parseScores, ScoreRequest, scoreSegment } from '../control-plane/src/media/quality/segment-quality.js';
import { encodeTestTs } from './support/media.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'hls-quality-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The same pictures re-encoded smaller and at a low bitrate: what an ABR rung is. */
function rungOf(source: string, size: string, kbps: number, name: string): string {
  const out = path.join(scratch, name);
  const result = spawnSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    source,
    '-vf',
    `scale=${size}`,
    '-c:v',
    'libx264',
    '-b:v',
    `${kbps}k`,
    '-an',
    '-f',
    'mpegts',
    out,
  ]);
  assert.equal(result.status, 0, String(result.stderr));
  return out;
}

describe('segment quality: SSIM and PSNR of a rung against the source (real ffmpeg)', () => {
  const source = path.join(scratch, 'source.ts');
  writeFileSync(source, encodeTestTs(2, { size: '640x360', gop: 50 }));

  it('scores the source against itself as identical: SSIM 1, PSNR infinite (null)', async () => {
    const score = await scoreSegment({ rung: { file: source, init: null }, source: { file: source, init: null }, width: 640, height: 360 });
    assert.equal(score.ssim, 1);
    assert.equal(score.psnr, null);
  });

  it('scores a smaller, starved rung lower than a larger, well-fed one, both in a plausible range', async () => {
    const good = rungOf(source, '480:270', 1500, 'good.ts');
    const poor = rungOf(source, '160:90', 60, 'poor.ts');
    const request = (file: string): ScoreRequest => ({ rung: { file, init: null }, source: { file: source, init: null }, width: 640, height: 360 });
    const [g, p] = [await scoreSegment(request(good)), await scoreSegment(request(poor))];
    console.log(`# good ${JSON.stringify(g)} poor ${JSON.stringify(p)}`);
    assert.ok(g.ssim > p.ssim, `SSIM ${g.ssim} > ${p.ssim}`);
    assert.ok(g.psnr! > p.psnr!, `PSNR ${g.psnr} > ${p.psnr}`);
    assert.ok(g.ssim > 0.8 && g.ssim < 1, `good SSIM ${g.ssim}`);
    assert.ok(p.ssim > 0.2 && p.ssim < 0.95, `poor SSIM ${p.ssim}`);
    assert.ok(p.psnr! > 10 && g.psnr! < 60, `PSNR ${p.psnr}..${g.psnr} dB`);
  });

  it('reads fMP4 segments after their init segment (CMAF rungs)', async () => {
    const dir = path.join(scratch, 'cmaf');
    spawnSync('mkdir', ['-p', dir]);
    const result = spawnSync(
      'ffmpeg',
      ['-v', 'error', '-y', '-i', source, '-an', '-c:v', 'copy', '-f', 'hls', '-hls_segment_type', 'fmp4', '-hls_time', '1', path.join(dir, 'index.m3u8')],
      { cwd: dir },
    );
    assert.equal(result.status, 0, String(result.stderr));
    const segment = readdirSync(dir).find((f) => f.endsWith('.m4s'))!;
    const init = path.join(
      dir,
      readdirSync(dir).find((f) => f.startsWith('init'))!,
    );
    const score = await scoreSegment({ rung: { file: path.join(dir, segment), init }, source: { file: source, init: null }, width: 640, height: 360 });
    // The first segment is the source's first second, copied: identical frames.
    assert.equal(score.ssim, 1);
  });

  it("fails with ffmpeg's reason when a segment cannot be read", async () => {
    await assert.rejects(
      scoreSegment({ rung: { file: path.join(scratch, 'gone.ts'), init: null }, source: { file: source, init: null }, width: 640, height: 360 }),
      /quality scoring failed .*gone\.ts/,
    );
  });

  it('parses the summary lines, and nothing else', () => {
    const stderr =
      '[Parsed_psnr_4 @ 0x1] PSNR y:32.7 u:30.4 v:27.0 average:30.791195 min:30.2 max:31.1\n' +
      '[Parsed_ssim_3 @ 0x2] SSIM Y:0.944794 (12.58) U:0.929619 (11.52) V:0.937612 (12.04) All:0.941068 (12.296498)\n';
    assert.deepEqual(parseScores(stderr), { ssim: 0.941068, psnr: 30.791195 });
    assert.equal(parseScores('frame=  50 fps=0.0 q=-0.0 Lsize=N/A'), null);
  });
});

describe('quality monitor: pairs each rung segment with the source segment of the same first frame', () => {
  const segment = (variant: string, mediaSequence: number, startPts: number): WrittenSegment => ({
    mediaSequence,
    file: `/m/${variant}/${mediaSequence}.ts`,
    init: null,
    startPts,
    durationSeconds: 2,
  });

  it('scores one rung per turn, its newest segment that has a twin; flags a rung under its floor once; counts failures', async () => {
    const requests: ScoreRequest[] = [];
    const scores: Record<string, number> = { hi: 0.97, lo: 0.8 };
    const flagged: [string, RungQuality][] = [];
    let failNext = false;
    const monitor = new QualityMonitor('source', {
      rungs: [{ name: 'hi', minSsim: 0.9 }, { name: 'lo', minSsim: 0.85 }, { name: 'none' }],
      intervalMs: 60_000,
      sourceSize: () => ({ width: 1280, height: 720 }),
      onBelowFloor: (rung, q) => flagged.push([rung, q]),
      now: () => Date.parse('2026-12-03T10:00:00Z'),
      score: async (request) => {
        requests.push(request);
        if (failNext) throw new Error('ffmpeg said no');
        return { ssim: scores[request.rung.file.split('/')[2]], psnr: 35.123456 };
      },
    });
    // Before any pair: nothing is scored, and that is not a failure.
    assert.equal(await monitor.probeNext(), false);
    assert.equal(requests.length, 0);
    for (let n = 0; n < 4; n++) monitor.segmentWritten('source', segment('source', 100 + n, 900_000 + n * 180_000));
    // The rung's numbering is its own; its PTS are the source's. Its newest segment has no twin yet
    // (the source's has not been written), so the one before it is scored.
    monitor.segmentWritten('hi', segment('hi', 7, 900_000 + 2 * 180_000));
    monitor.segmentWritten('hi', segment('hi', 8, 900_000 + 5 * 180_000));
    // A rung whose demuxer unwrapped the 33-bit PTS once more still pairs.
    monitor.segmentWritten('lo', segment('lo', 3, 900_000 + 3 * 180_000 + 2 ** 33));
    // One segment per turn, the rungs taking turns; a rung with nothing to compare is passed over.
    for (let turn = 0; turn < 2; turn++) assert.equal(await monitor.probeNext(), true);
    assert.deepEqual(
      requests.map((r) => [r.rung.file, r.source.file, r.width, r.height]),
      [
        ['/m/hi/7.ts', '/m/source/102.ts', 1280, 720],
        ['/m/lo/3.ts', '/m/source/103.ts', 1280, 720],
      ],
    );
    const hi = monitor.status('hi');
    assert.deepEqual(
      { ssim: hi.ssim, psnr: hi.psnr, seq: hi.mediaSequence, below: hi.belowFloor, probes: hi.probes, at: hi.measuredAt },
      { ssim: 0.97, psnr: 35.12, seq: 7, below: false, probes: 1, at: '2026-12-03T10:00:00.000Z' },
    );
    assert.equal(monitor.status('lo').belowFloor, true);
    assert.equal(monitor.status('none').ssim, null, 'a rung without segments is not scored');
    assert.deepEqual(
      flagged.map(([r]) => r),
      ['lo'],
    );
    for (let turn = 0; turn < 2; turn++) await monitor.probeNext();
    assert.equal(monitor.status('lo').probes, 2);
    assert.equal(flagged.length, 1, 'told once, not every probe while it stays under');
    failNext = true;
    for (let turn = 0; turn < 2; turn++) await monitor.probeNext();
    const lo = monitor.status('lo');
    assert.equal(lo.failures, 1);
    assert.match(lo.lastError!, /ffmpeg said no/);
    assert.equal(lo.ssim, 0.8, 'the last good score stays');
  });
});
