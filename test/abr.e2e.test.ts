import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseMasterPlaylist } from '../control-plane/src/media/playlist/master-playlist.js';
import { parseMediaPlaylist } from '../control-plane/src/media/playlist/media-playlist.js';
import { launchChromium } from './support/browser.js';
import { startEncoder } from './support/encoder.js';
import { decodeErrors } from './support/media.js';
import { freeUdpPortBlock } from './support/ports.js';
import { eventually, startSystem, SystemUnderTest } from './support/system.js';
import { UdpRelay } from './support/udp-relay.js';

/** PTS (90 kHz) of a TS file's first video packet. */
function firstVideoPts(file: string): number {
  const result = spawnSync(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts', '-read_intervals', '%+#1', '-of', 'csv=p=0', file],
    {
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  return parseInt(result.stdout.trim().split('\n')[0], 10);
}

/** The ffmpeg that transcodes (the encoder feeding the stream has no -filter_complex). */
function transcoderPids(): number[] {
  const result = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return result.stdout
    .split('\n')
    .filter((line) => /ffmpeg .*-filter_complex \[0:v:0\]split=/.test(line))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

describe('ABR ladder: rungs transcoded from the feed repaired after a lossy relay, packaged like the source', () => {
  let system: SystemUnderTest;
  let scratch: string;
  let encoder: ReturnType<typeof startEncoder> | null = null;
  let relay: UdpRelay;
  // The floors: one no rung can meet (a re-encode is never identical), one every rung meets.
  const ladder = [
    { name: '270p', width: 480, height: 270, videoKbps: 600, minSsim: 0.9999 },
    { name: '180p', width: 320, height: 180, videoKbps: 300, minSsim: 0.3 },
  ];
  before(async () => {
    system = await startSystem({ env: { QUALITY_PROBE_SECONDS: '5' } });
    scratch = await mkdtemp(path.join(os.tmpdir(), 'hls-abr-'));
    const port = await freeUdpPortBlock();
    const relayPort = await freeUdpPortBlock();
    const created = await system.api('POST', '/api/v1/streams', {
      key: 'abr',
      ingest: { protocol: 'rtp', port, fec: { columns: 5, rows: 5 } },
      packaging: { segmentSeconds: 2 },
      renditions: ladder,
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    // 2 % of media packets dropped, never two within five: every loss is one column FEC rebuilds.
    relay = new UdpRelay({ from: relayPort, to: port, fec: true, dropRate: 0.02, minDropGap: 5, reorderRate: 0.005, seed: 11 });
    await relay.start();
    encoder = startEncoder({ protocol: 'rtp', port: relayPort, fec: { columns: 5, rows: 5 }, seconds: 240 });
  });
  after(async () => {
    encoder?.child.kill('SIGKILL');
    relay.stop();
    await system.dispose();
    await rm(scratch, { recursive: true, force: true });
  });
  const status = async () => (await system.api('GET', '/api/v1/streams/abr/status')).json;

  it('the multivariant playlist lists the source and every rung, with measured bandwidth, codecs and resolution', async () => {
    await eventually(
      async () => {
        const s = await status();
        return s.ladder?.rungs.every((r: { segmentsWritten: number }) => r.segmentsWritten >= 3) && s.segmentsWritten >= 3 ? true : undefined;
      },
      60_000,
      'three segments in every variant',
    );
    const variants = parseMasterPlaylist(await (await system.origin('/live/abr/index.m3u8')).text());
    assert.deepEqual(
      variants.map((v) => v.uri),
      ['source/index.m3u8', '270p/index.m3u8', '180p/index.m3u8'],
    );
    assert.deepEqual(
      variants.map((v) => v.resolution),
      [
        { width: 640, height: 360 },
        { width: 480, height: 270 },
        { width: 320, height: 180 },
      ],
    );
    for (const v of variants) {
      assert.ok(v.bandwidth > 0 && (v.averageBandwidth ?? 0) > 0, `${v.uri} bandwidth measured`);
      assert.match(v.codecs.join(','), /avc1\.[0-9a-f]{6},mp4a\.40\.2/);
    }
    // The rungs' bit rates follow the ladder, under the source's.
    assert.ok(variants[0].averageBandwidth! > variants[1].averageBandwidth! && variants[1].averageBandwidth! > variants[2].averageBandwidth!);
    const metrics = await (await fetch(`http://127.0.0.1:${system.apiPort}/metrics`)).text();
    assert.match(metrics, /^hls_transcoder_running\{stream="abr"\} 1$/m);
    for (const rung of ladder) assert.match(metrics, new RegExp(`^hls_rung_segments_written_total\\{stream="abr",rung="${rung.name}"\\} [1-9]`, 'm'));
    const s = await status();
    assert.ok(relay.dropped > 10 && s.recoveredByFec > 0 && s.unrecoverable === 0, `relay dropped ${relay.dropped}; ${JSON.stringify(s)}`);
    assert.equal(s.ladder.transcoder.state, 'running');
    assert.ok(s.ladder.transcoder.speed > 0.5, `transcoder speed ${s.ladder.transcoder.speed}`);
    // Its CPU, measured: more than nothing, less than this machine has.
    const cpu = await eventually(async () => (await status()).ladder.transcoder.cpuCores ?? undefined, 10_000, 'a CPU sample');
    assert.ok(cpu > 0.05 && cpu <= os.cpus().length, `transcoder CPU ${cpu} cores`);
    assert.match(await (await fetch(`http://127.0.0.1:${system.apiPort}/metrics`)).text(), /^hls_transcoder_cpu_cores\{stream="abr"\} \d/m);
  });

  it("every rung's segments decode cleanly and start at a PTS where a source segment starts, with the source's PROGRAM-DATE-TIME and number", async () => {
    const starts = new Map<string, number[]>();
    /** Start PTS -> EXT-X-PROGRAM-DATE-TIME, per variant. */
    const dates = new Map<string, Map<number, number>>();
    /** Start PTS -> media sequence number, per variant. */
    const numbers = new Map<string, Map<number, number>>();
    for (const variant of ['source', ...ladder.map((r) => r.name)]) {
      const playlist = parseMediaPlaylist(await (await system.origin(`/live/abr/${variant}/index.m3u8`)).text())!;
      const pts: number[] = [];
      dates.set(variant, new Map());
      numbers.set(variant, new Map());
      for (const [i, segment] of playlist.segments.entries()) {
        if (segment.gap) continue; // a span the rung has no media for
        const res = await system.origin(`/live/abr/${variant}/${segment.uri}`);
        if (res.status !== 200) continue; // slid out of the window meanwhile
        const file = path.join(scratch, `${variant}-${segment.uri}`);
        await writeFile(file, Buffer.from(await res.arrayBuffer()));
        assert.equal(decodeErrors(file), '', `${variant}/${segment.uri} decodes without a line of error`);
        pts.push(firstVideoPts(file));
        dates.get(variant)!.set(pts.at(-1)!, segment.programDateTime!.getTime());
        numbers.get(variant)!.set(pts.at(-1)!, playlist.mediaSequence + i);
      }
      starts.set(variant, pts);
    }
    const source = new Set(starts.get('source'));
    for (const rung of ladder) {
      const rungStarts = starts.get(rung.name)!;
      assert.ok(rungStarts.length >= 3, `${rung.name}: ${rungStarts.length} segments`);
      console.log(`# ${rung.name} starts ${rungStarts} source ${[...source]}`);
      const inSourceRange = rungStarts.filter((p) => p >= Math.min(...source) && p <= Math.max(...source));
      assert.ok(inSourceRange.length >= 2, `${rung.name} overlaps the source's window`);
      for (const p of inSourceRange) {
        assert.ok(source.has(p), `${rung.name} segment at PTS ${p} starts where a source segment does (${[...source]})`);
        // Players switch by date-time: a rung stamped a transcoding delay later would be misplaced.
        assert.equal(dates.get(rung.name)!.get(p), dates.get('source')!.get(p), `${rung.name} segment at PTS ${p}: the source's date-time`);
        // Segment N is the same span in every variant.
        assert.equal(numbers.get(rung.name)!.get(p), numbers.get('source')!.get(p), `${rung.name} segment at PTS ${p}: the source's number`);
      }
    }
  });

  it("every rung's picture quality is scored against the source (SSIM, PSNR), the source is the reference, a rung under its floor is flagged", async () => {
    type Rung = {
      name: string;
      passthrough: boolean;
      quality: { ssim: number | null; psnr: number | null; belowFloor: boolean; reference: boolean; mediaSequence: number };
    };
    const rungs: Rung[] = await eventually(
      async () => {
        const r = (await status()).ladder.rungs as Rung[];
        return r.every((rung) => rung.quality.ssim !== null) ? r : undefined;
      },
      40_000,
      'every rung scored',
    );
    console.log(`# quality ${JSON.stringify(rungs.map((r) => [r.name, r.quality.ssim, r.quality.psnr]))}`);
    assert.deepEqual(
      rungs.map((r) => [r.name, r.passthrough]),
      [
        ['source', true],
        ['270p', false],
        ['180p', false],
      ],
    );
    const [source, r270, r180] = rungs;
    assert.deepEqual([source.quality.ssim, source.quality.reference], [1, true]);
    for (const r of [r270, r180]) {
      assert.ok(r.quality.ssim! > 0.5 && r.quality.ssim! < 1, `${r.name} SSIM ${r.quality.ssim}`);
      assert.ok(r.quality.psnr! > 15 && r.quality.psnr! < 70, `${r.name} PSNR ${r.quality.psnr}`);
      assert.ok(r.quality.mediaSequence >= 0);
    }
    assert.ok(r270.quality.ssim! > r180.quality.ssim!, 'more pixels and bits score higher');
    assert.equal(r270.quality.belowFloor, true, 'under a 0.9999 floor');
    assert.equal(r180.quality.belowFloor, false, 'over a 0.3 floor');
    const metrics = await (await fetch(`http://127.0.0.1:${system.apiPort}/metrics`)).text();
    assert.match(metrics, /^hls_rung_ssim\{stream="abr",rung="source"\} 1$/m);
    assert.match(metrics, /^hls_rung_ssim\{stream="abr",rung="180p"\} 0\.\d+$/m);
    assert.match(metrics, /^hls_rung_below_quality_floor\{stream="abr",rung="270p"\} 1$/m);
    assert.match(metrics, /^hls_rung_psnr_db\{stream="abr",rung="270p"\} \d+/m);
  });

  it('hls.js in Chromium, throttled below the top rung, switches down without a stall, and back up when the limit is lifted', async () => {
    const variants = parseMasterPlaylist(await (await system.origin('/live/abr/index.m3u8')).text());
    const kbps = (uri: string) => (variants.find((v) => v.uri === uri)!.bandwidth * 1) / 1000;
    // A fifth under the source's peak: it no longer plays smoothly, the rungs under it do. (A harsher
    // cut drains a live buffer of a few seconds before any bandwidth estimate can follow it: that
    // tests hls.js's emergency rules, not the ladder.)
    const limitKbps = Math.round(0.8 * kbps('source/index.m3u8'));
    assert.ok(limitKbps > kbps('270p/index.m3u8'), `limit ${limitKbps} kbit/s leaves room for 270p (${kbps('270p/index.m3u8')})`);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const devtools = await page.context().newCDPSession(page);
      await devtools.send('Network.enable');
      await page.goto(`http://127.0.0.1:${system.apiPort}/player?src=${encodeURIComponent(`http://127.0.0.1:${system.httpPort}/live/abr/index.m3u8`)}`);
      type Switch = { name: string; at: number };
      const playing = () => page.evaluate(() => (window as unknown as { levelSwitches: Switch[] }).levelSwitches.at(-1)?.name ?? null);
      const stalls = () =>
        page.evaluate(
          () => (window as unknown as { playerErrors: { details: string }[] }).playerErrors.filter((e) => e.details === 'bufferStalledError').length,
        );
      const currentTime = () => page.evaluate(() => (document.getElementById('video') as HTMLVideoElement).currentTime);
      await eventually(async () => ((await playing()) === 'source' ? true : undefined), 45_000, 'hls.js plays the source on an open network');
      // A player on the source with its usual live buffer (hls.js holds about three segments back).
      const bufferAhead = () =>
        page.evaluate(() => {
          const v = document.getElementById('video') as HTMLVideoElement;
          return v.buffered.length ? v.buffered.end(v.buffered.length - 1) - v.currentTime : 0;
        });
      await eventually(async () => ((await bufferAhead()) >= 3 ? true : undefined), 30_000, 'three seconds buffered');
      const stallsBefore = await stalls();
      const throttledAt = await currentTime();
      const diagnostics = async () =>
        JSON.stringify({
          limitKbps,
          throttledAt,
          bufferAtThrottle,
          now: await currentTime(),
          ...(await page.evaluate(() => {
            const w = window as unknown as { levelSwitches: unknown[]; playerErrors: unknown[]; hls: { bandwidthEstimate: number } };
            return { switches: w.levelSwitches, errors: w.playerErrors, estimate: w.hls.bandwidthEstimate };
          })),
        });
      const bufferAtThrottle = await bufferAhead();
      await devtools.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 10,
        downloadThroughput: (limitKbps * 1000) / 8,
        uploadThroughput: -1,
      });
      const down = await eventually(
        async () => ((await playing()) !== 'source' ? await playing() : undefined),
        60_000,
        `a lower rung under ${limitKbps} kbit/s`,
      );
      // Playing on for a few seconds on the lower rung, never stalled.
      const switchedAt = await currentTime();
      await eventually(async () => ((await currentTime()) > switchedAt + 4 ? true : undefined), 20_000, 'playback goes on after the switch');
      assert.equal(await stalls(), stallsBefore, `no stall while switching down: ${await diagnostics()}`);
      assert.ok(switchedAt > throttledAt, 'the video advanced through the switch');
      console.log(`# throttled to ${limitKbps} kbit/s: switched to ${down}`);
      await devtools.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await eventually(async () => ((await playing()) === 'source' ? true : undefined), 60_000, 'back to the source once the limit is lifted');
      const errors = await page.evaluate(() => (window as unknown as { playerErrors: { fatal: boolean; details: string }[] }).playerErrors);
      assert.deepEqual(
        errors.filter((e) => e.fatal),
        [],
      );
    } finally {
      await browser.close();
    }
  });

  it('a ladder change that would upscale the live source is refused with 400 naming the field; the ladder stays', async () => {
    const before = (await system.api('GET', '/api/v1/streams/abr')).json;
    const res = await system.api('PATCH', '/api/v1/streams/abr', {
      renditions: [{ name: '720p', width: 1280, height: 720, videoKbps: 2500 }, ...ladder],
    });
    assert.equal(res.status, 400, JSON.stringify(res.json));
    const fields = res.json.fields.map((d: { field: string }) => d.field);
    assert.ok(fields.includes('renditions.0.width') && fields.includes('renditions.0.height'), JSON.stringify(res.json));
    assert.match(JSON.stringify(res.json), /live source is 640x360/);
    const after = (await system.api('GET', '/api/v1/streams/abr')).json;
    assert.equal(after.version, before.version, 'nothing stored');
    // A change to something else is not held to it, and a ladder under the source is accepted.
    const fine = await system.api('PATCH', '/api/v1/streams/abr', { renditions: ladder.map((r) => ({ ...r })) });
    assert.equal(fine.status, 200, JSON.stringify(fine.json));
  });

  it('a killed transcoder is restarted, the status says so, and its rungs go on', async () => {
    const [pid] = transcoderPids();
    assert.ok(pid, 'the transcoder runs');
    const lastBefore: number[] = [];
    for (const rung of ladder) {
      const playlist = parseMediaPlaylist(await (await system.origin(`/live/abr/${rung.name}/index.m3u8`)).text())!;
      lastBefore.push(playlist.mediaSequence + playlist.segments.length - 1);
    }
    process.kill(pid, 'SIGKILL');
    await eventually(
      async () => {
        const t = (await status()).ladder.transcoder;
        return t.restarts >= 1 && t.state === 'running' ? t : undefined;
      },
      20_000,
      'restarted',
    );
    assert.match((await status()).ladder.transcoder.lastError, /SIGKILL/);
    // Each rung's playlist marks the break and goes on after it, its numbering continued, not reset.
    for (const [i, rung] of ladder.entries()) {
      const afterBreak = await eventually(
        async () => {
          const playlist = parseMediaPlaylist(await (await system.origin(`/live/abr/${rung.name}/index.m3u8`)).text())!;
          const at = playlist.segments.findIndex((s) => s.discontinuity);
          return at >= 0 && playlist.segments.length - at >= 2 ? playlist.mediaSequence + at : undefined;
        },
        30_000,
        `${rung.name}: two segments after an EXT-X-DISCONTINUITY`,
      );
      assert.ok(afterBreak >= lastBefore[i] + 1, `${rung.name}: the first segment after the restart is ${afterBreak}, after ${lastBefore[i]}`);
      // ... and still the source's: the segment after the break has the number the source gave the
      // segment with its date-time (what the rung lost meanwhile is listed as EXT-X-GAP).
      const rungPlaylist = parseMediaPlaylist(await (await system.origin(`/live/abr/${rung.name}/index.m3u8`)).text())!;
      const sourcePlaylist = parseMediaPlaylist(await (await system.origin('/live/abr/source/index.m3u8')).text())!;
      const at = rungPlaylist.segments.findIndex((s) => s.discontinuity);
      const date = rungPlaylist.segments[at].programDateTime.getTime();
      const twin = sourcePlaylist.segments.findIndex((s) => s.programDateTime.getTime() === date);
      assert.ok(twin >= 0, `${rung.name}: the source has a segment dated ${new Date(date).toISOString()}`);
      assert.equal(rungPlaylist.mediaSequence + at, sourcePlaylist.mediaSequence + twin, `${rung.name}: the source's number after the break`);
      console.log(`# ${rung.name}: ${rungPlaylist.segments.filter((s) => s.gap).length} EXT-X-GAP segments listed after the restart`);
    }
    assert.notEqual(transcoderPids()[0], pid);
  });
});
