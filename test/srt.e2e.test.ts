import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseMediaPlaylist } from '../control-plane/src/media/playlist/media-playlist.js';
import { playsInChromium } from './support/browser.js';
import { startEncoder } from './support/encoder.js';
import { decodeErrors } from './support/media.js';
import { freeUdpPortBlock } from './support/ports.js';
import { eventually, startSystem, SystemUnderTest } from './support/system.js';
import { DuplexUdpRelay } from './support/udp-relay.js';

describe('SRT ingest: srt-live-transmit listening, ffmpeg (libsrt) calling through a lossy link', () => {
  let system: SystemUnderTest;
  let relay: DuplexUdpRelay;
  let port: number;
  let relayPort: number;
  let passphrase: string;
  let scratch: string;
  before(async () => {
    system = await startSystem();
    scratch = await mkdtemp(path.join(os.tmpdir(), 'hls-srt-'));
    port = await freeUdpPortBlock();
    relayPort = await freeUdpPortBlock();
    // 5 % of the sender's datagrams lost on the way; the answers come back untouched.
    relay = new DuplexUdpRelay({ from: relayPort, to: port, dropRate: 0.05, seed: 5 });
    await relay.start();
  });
  after(async () => {
    relay.stop();
    await system.dispose();
    await rm(scratch, { recursive: true, force: true });
  });
  const status = async () => (await system.api('GET', '/api/v1/streams/srt/status')).json;

  it('creates an SRT stream with a generated passphrase, shown once', async () => {
    const created = await system.api('POST', '/api/v1/streams', {
      key: 'srt',
      ingest: { protocol: 'srt', port, srt: { latencyMs: 400 } },
      packaging: { segmentSeconds: 1 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    passphrase = created.json.ingest.srt.passphrase;
    assert.match(passphrase, /^[A-Za-z0-9_-]{32}$/);
    assert.equal(created.json.ingest.srt.latencyMs, 400);
    const shown = (await system.api('GET', '/api/v1/streams/srt')).json;
    assert.deepEqual(shown.ingest.srt, { latencyMs: 400 }, 'not shown again');
    await eventually(async () => ((await status()).srt?.state === 'listening' ? true : undefined), 15_000, 'the SRT listener up');
  });

  it('at 5 % loss the feed is repaired by retransmission: segments decode, the status shows it, hls.js plays', async () => {
    const encoder = startEncoder({ protocol: 'srt', port: relayPort, passphrase, latencyMs: 400, seconds: 25 });
    try {
      await eventually(async () => ((await status()).segmentsWritten >= 8 ? true : undefined), 40_000, 'eight segments');
      const s = await status();
      assert.equal(s.srt.state, 'connected');
      assert.equal(s.srt.connections, 1);
      assert.ok(relay.dropped > 20, `relay dropped ${relay.dropped}`);
      assert.ok(s.srt.packetsLost > 0 && s.srt.packetsRetransmitted > 0, `libsrt saw the loss and had it resent: ${JSON.stringify(s.srt)}`);
      assert.ok(s.srt.rttMs !== null && s.srt.latencyMs >= 400, JSON.stringify(s.srt));
      assert.equal(s.malformed, 0, 'no broken TS reached the packager');
      const playlist = parseMediaPlaylist(await (await system.origin('/live/srt/source/index.m3u8')).text())!;
      for (const segment of playlist.segments.slice(-4)) {
        const file = path.join(scratch, segment.uri);
        await writeFile(file, Buffer.from(await (await system.origin(`/live/srt/source/${segment.uri}`)).arrayBuffer()));
        assert.equal(decodeErrors(file), '', `${segment.uri} decodes without a line of error`);
      }
      const metrics = await (await fetch(`http://127.0.0.1:${system.apiPort}/metrics`)).text();
      assert.match(metrics, /^hls_srt_connected\{stream="srt"\} 1$/m);
      assert.match(metrics, /^hls_srt_packets_retransmitted_total\{stream="srt"\} [1-9]/m);
      await playsInChromium(`http://127.0.0.1:${system.apiPort}/player?src=${encodeURIComponent(`http://127.0.0.1:${system.httpPort}/live/srt/index.m3u8`)}`);
    } finally {
      encoder.child.kill('SIGKILL');
      await encoder.done.catch(() => undefined);
    }
  });

  it('a wrong passphrase is refused before any media and counted; the right sender then reconnects by itself', async () => {
    // The killed sender is noticed by libsrt's peer idle timeout (5 s): until then the listener has
    // its one connection and answers no other caller (the first sender keeps the stream).
    await eventually(async () => ((await status()).srt.state === 'listening' ? true : undefined), 20_000, 'the first sender noticed gone');
    const before = await status();
    const wrong = startEncoder({ protocol: 'srt', port, passphrase: 'not-the-right-one', seconds: 5 });
    assert.notEqual(await wrong.done, 0, 'ffmpeg was refused');
    const refused = await eventually(async () => ((await status()).srt.rejected > before.srt.rejected ? await status() : undefined), 10_000, 'a refusal');
    assert.match(refused.srt.lastRejection, /passphrase/i);
    assert.equal(refused.segmentsWritten, before.segmentsWritten, 'nothing of it reached the packager');
    // The listener was never restarted: the sender calling again is accepted as it is. It sends
    // as a new user would: the ffmpeg line GET ingest-urls gives, with the passphrase filled in.
    const urls = (await system.api('GET', '/api/v1/streams/srt/ingest-urls?host=127.0.0.1')).json;
    assert.equal(urls.protocol, 'srt');
    assert.equal(urls.url, `srt://127.0.0.1:${port}?passphrase=PASSPHRASE&latency=400000&pkt_size=1316`);
    assert.equal(urls.obs.server, urls.url);
    assert.doesNotMatch(JSON.stringify(urls), new RegExp(passphrase), 'the passphrase is not repeated');
    const line = urls.ffmpeg.replace('PASSPHRASE', passphrase).replace('ffmpeg ', 'ffmpeg -v error ').replace(' -f mpegts', ' -t 6 -f mpegts');
    const child = spawn('sh', ['-c', line], { stdio: 'ignore' });
    const again = { child, done: new Promise((resolve) => child.once('exit', resolve)) };
    try {
      await eventually(
        async () => {
          const s = await status();
          return s.srt.connections >= 2 && s.segmentsWritten >= before.segmentsWritten + 3 ? s : undefined;
        },
        30_000,
        'the sender back, segments again',
      );
      assert.equal((await status()).srt.restarts, 0);
    } finally {
      again.child.kill('SIGKILL');
      await again.done.catch(() => undefined);
    }
  });

  it('a killed listener is started again and says so', async () => {
    const pids = (await import('node:child_process'))
      .execFileSync('pgrep', ['-f', `srt-live-transmit srt://:${port}\\?`], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map(Number);
    assert.equal(pids.length, 1, 'one listener for the stream');
    process.kill(pids[0], 'SIGKILL');
    const s = await eventually(
      async () => {
        const srt = (await status()).srt;
        return srt.restarts >= 1 && srt.state === 'listening' ? srt : undefined;
      },
      15_000,
      'listening again',
    );
    assert.match(s.lastError, /SIGKILL/);
  });
});
