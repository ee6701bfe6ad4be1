import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseMediaPlaylist } from '../control-plane/src/media/playlist/media-playlist.js';
import { startEncoder } from './support/encoder.js';
import { decodeErrors } from './support/media.js';
import { freeUdpPortBlock } from './support/ports.js';
import { eventually, startSystem, SystemUnderTest } from './support/system.js';
import { DuplexUdpRelay } from './support/udp-relay.js';

describe('RIST ingest (Simple Profile): NACKs from wasm-core, ffmpeg (librist) sending through a lossy, slow link', () => {
  let system: SystemUnderTest;
  let scratch: string;
  const relays: DuplexUdpRelay[] = [];
  before(async () => {
    system = await startSystem();
    scratch = await mkdtemp(path.join(os.tmpdir(), 'hls-rist-'));
  });
  after(async () => {
    for (const relay of relays) relay.stop();
    await system.dispose();
    await rm(scratch, { recursive: true, force: true });
  });
  const status = async (key: string) => (await system.api('GET', `/api/v1/streams/${key}/status`)).json;

  /** A RIST stream and, in front of it, the path a sender crosses: RTP lossy and slow, RTCP slow. */
  async function ristStream(key: string, bufferMs: number, dropRate: number): Promise<{ senderPort: number; media: DuplexUdpRelay }> {
    const port = await freeUdpPortBlock();
    const created = await system.api('POST', '/api/v1/streams', {
      key,
      ingest: { protocol: 'rist', port, rist: { bufferMs } },
      packaging: { segmentSeconds: 1 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.deepEqual(created.json.ingest.rist, { bufferMs });
    const senderPort = await freeUdpPortBlock();
    const media = new DuplexUdpRelay({ from: senderPort, to: port, dropRate, seed: 7, delayMs: 50 });
    const rtcp = new DuplexUdpRelay({ from: senderPort + 1, to: port + 1, dropRate: 0, seed: 8, delayMs: 50 });
    await media.start();
    await rtcp.start();
    relays.push(media, rtcp);
    return { senderPort, media };
  }

  it('at 5 % loss and 50 ms more delay every lost packet is asked for and comes back: none unrecoverable, segments decode', async () => {
    const { senderPort, media } = await ristStream('rist', 1000, 0.05);
    // ffmpeg as a new user runs it: the line ingest-urls gives, sent to the relay in front of the stream.
    const urls = (await system.api('GET', '/api/v1/streams/rist/ingest-urls?host=127.0.0.1')).json;
    assert.equal(urls.protocol, 'rist');
    const line = urls.ffmpeg
      .replace(/rist:\/\/127\.0\.0\.1:\d+$/, `rist://127.0.0.1:${senderPort}`)
      .replace('ffmpeg ', 'ffmpeg -v error ')
      .replace(' -f mpegts', ' -t 25 -f mpegts');
    assert.match(line, new RegExp(`-rist_profile simple -buffer_size 1000 rist://127\\.0\\.0\\.1:${senderPort}$`));
    const child = spawn('sh', ['-c', line], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = `${stderr}${d}`.slice(-2000)));
    const encoder = { child, done: new Promise((resolve) => child.once('exit', resolve)), stderr: () => stderr };
    try {
      await eventually(async () => ((await status('rist')).segmentsWritten >= 8 ? true : undefined), 40_000, 'eight segments').catch(async (error: Error) => {
        throw new Error(`${error.message}: ${JSON.stringify(await status('rist'))}; encoder: ${encoder.stderr()}`);
      });
      const s = await status('rist');
      console.log(`# rist at 5 %: relay dropped ${media.dropped}; ${JSON.stringify(s.rist)}; unrecoverable ${s.unrecoverable}`);
      assert.ok(media.dropped > 20, `the relay dropped ${media.dropped}`);
      assert.ok(s.rist.nacksSent >= s.rist.missing && s.rist.missing > 20, JSON.stringify(s.rist));
      assert.ok(s.rist.retransmissionsReceived > 0 && s.rist.recoveredByRetransmission > 20, JSON.stringify(s.rist));
      assert.equal(s.unrecoverable, 0, `nothing given up: ${JSON.stringify(s)}`);
      assert.equal(s.malformed, 0);
      assert.ok(s.rist.rttMs === null || s.rist.rttMs >= 50, `the round trip includes the added delay: ${s.rist.rttMs}`);
      const playlist = parseMediaPlaylist(await (await system.origin('/live/rist/source/index.m3u8')).text())!;
      for (const segment of playlist.segments.slice(-4)) {
        const file = path.join(scratch, segment.uri);
        await writeFile(file, Buffer.from(await (await system.origin(`/live/rist/source/${segment.uri}`)).arrayBuffer()));
        assert.equal(decodeErrors(file), '', `${segment.uri} decodes without a line of error`);
      }
      const metrics = await (await fetch(`http://127.0.0.1:${system.apiPort}/metrics`)).text();
      assert.match(metrics, /^hls_rist_recovered_total\{stream="rist"\} [1-9]/m);
    } finally {
      encoder.child.kill('SIGKILL');
      await encoder.done.catch(() => undefined);
    }
  });

  it('ristsender (rist-tools) relaying a local UDP feed interoperates the same way', async () => {
    const { senderPort, media } = await ristStream('rist-tools', 1000, 0.05);
    const feedPort = await freeUdpPortBlock();
    const sender = spawn(
      'ristsender',
      ['-p', '0', '-S', '0', '-v', '3', '-i', `udp://@127.0.0.1:${feedPort}`, '-o', `rist://127.0.0.1:${senderPort}?buffer=1000`],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let senderLog = '';
    sender.stderr!.on('data', (d: Buffer) => (senderLog = `${senderLog}${d}`.slice(-2000)));
    const encoder = startEncoder({ protocol: 'udp', port: feedPort, seconds: 25 });
    try {
      const s = await eventually(
        async () => {
          const now = await status('rist-tools');
          return now.segmentsWritten >= 8 ? now : undefined;
        },
        40_000,
        'eight segments',
      ).catch(async (error: Error) => {
        throw new Error(`${error.message}: ${JSON.stringify((await status('rist-tools')).rist)}; ristsender: ${senderLog}`);
      });
      console.log(`# ristsender at 5 %: relay dropped ${media.dropped}; ${JSON.stringify(s.rist)}; unrecoverable ${s.unrecoverable}`);
      assert.ok(media.dropped > 20, `the relay dropped ${media.dropped}`);
      assert.ok(s.rist.recoveredByRetransmission > 20, JSON.stringify(s.rist));
      assert.equal(s.unrecoverable, 0, `nothing given up: ${JSON.stringify(s)}`);
      assert.equal(s.malformed, 0);
    } finally {
      encoder.child.kill('SIGKILL');
      sender.kill('SIGKILL');
      await encoder.done.catch(() => undefined);
    }
  });

  it('past what the buffer can repair, losses are counted and the stream goes on', async () => {
    // 30 % loss with a 100 ms buffer: a round trip of 50 ms leaves time to ask about once.
    const { senderPort } = await ristStream('rist-harsh', 100, 0.3);
    const encoder = startEncoder({ protocol: 'rist', port: senderPort, ristBufferMs: 100, seconds: 20 });
    try {
      const s = await eventually(
        async () => {
          const now = await status('rist-harsh');
          return now.segmentsWritten >= 5 && now.unrecoverable > 0 ? now : undefined;
        },
        40_000,
        'segments, with losses counted',
      );
      console.log(`# rist at 30 % with 100 ms: ${JSON.stringify(s.rist)}; unrecoverable ${s.unrecoverable}`);
      assert.ok(s.rist.recoveredByRetransmission > 0, JSON.stringify(s.rist));
      assert.ok(s.rist.lost > 0, JSON.stringify(s.rist));
    } finally {
      encoder.child.kill('SIGKILL');
      await encoder.done.catch(() => undefined);
    }
  });
});
