import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freeLoopbackPort } from '../control-plane/src/database/embedded-postgres.js';
import { parseMediaPlaylist } from '../control-plane/src/media/playlist/media-playlist.js';
import { playsInChromium } from './support/browser.js';
import { startEncoder } from './support/encoder.js';
import { decodeErrors } from './support/media.js';
import { eventually, startSystem, SystemUnderTest } from './support/system.js';

/** Whether something accepts TCP connections on the port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('RTMP ingest: the nginx-rtmp front, publish by key and secret as OBS does', () => {
  let system: SystemUnderTest;
  let rtmpPort: number;
  let secret: string;
  let scratch: string;
  before(async () => {
    rtmpPort = await freeLoopbackPort();
    system = await startSystem({ env: { RTMP_PORT: String(rtmpPort) } });
    scratch = await mkdtemp(path.join(os.tmpdir(), 'hls-rtmp-'));
  });
  after(async () => {
    await system.dispose();
    await rm(scratch, { recursive: true, force: true });
  });
  const status = async () => (await system.api('GET', '/api/v1/streams/obs/status')).json;
  const publish = (name: string, seconds: number) => startEncoder({ protocol: 'rtmp', port: rtmpPort, rtmpName: name, seconds });

  it('creates an RTMP stream without a port, its secret generated and shown once', async () => {
    const created = await system.api('POST', '/api/v1/streams', { key: 'obs', ingest: { protocol: 'rtmp' }, packaging: { segmentSeconds: 1 } });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.equal(created.json.ingest.port, null);
    secret = created.json.ingest.rtmp.secret;
    assert.match(secret, /^[A-Za-z0-9_-]{32}$/);
    assert.deepEqual((await system.api('GET', '/api/v1/streams/obs')).json.ingest.rtmp, {}, 'not shown again');
    const s = await eventually(async () => ((await status()).rtmp ? await status() : undefined), 15_000, 'the RTMP status');
    assert.equal(s.rtmp.state, 'waiting');
    assert.equal(s.state, 'idle');
  });

  it('a publisher with the key and secret is packaged without re-encoding, the status shows it, hls.js plays', async () => {
    const encoder = publish(`obs?secret=${secret}`, 30);
    try {
      await eventually(async () => ((await status()).segmentsWritten >= 6 ? true : undefined), 40_000, 'six segments');
      const s = await status();
      assert.equal(s.state, 'live');
      assert.equal(s.rtmp.state, 'publishing');
      assert.equal(s.rtmp.publishes, 1);
      assert.equal(s.rtmp.publisher, '127.0.0.1');
      assert.equal(s.malformed, 0, 'whole TS packets from the pipe');
      assert.equal(s.codecs.width, 640, 'the picture as sent');
      assert.match(s.codecs.video, /^avc1\./);
      assert.match(s.codecs.audio, /^mp4a\./);
      const playlist = parseMediaPlaylist(await (await system.origin('/live/obs/source/index.m3u8')).text())!;
      for (const segment of playlist.segments.slice(-3)) {
        const file = path.join(scratch, segment.uri);
        await writeFile(file, Buffer.from(await (await system.origin(`/live/obs/source/${segment.uri}`)).arrayBuffer()));
        assert.equal(decodeErrors(file), '', `${segment.uri} decodes without a line of error`);
      }
      const metrics = await (await fetch(`http://127.0.0.1:${system.apiPort}/metrics`)).text();
      assert.match(metrics, /^hls_rtmp_publishing\{stream="obs"\} 1$/m);

      // A second publisher for the same key is refused while the first is in; the first goes on.
      const second = publish(`obs?secret=${secret}`, 5);
      assert.notEqual(await second.done, 0, 'the second publisher was refused');
      // The status comes from the ingest worker once a second.
      const afterSecond = await eventually(async () => ((await status()).rtmp.rejected >= 1 ? await status() : undefined), 5000, 'the refusal counted');
      assert.equal(afterSecond.rtmp.rejected, 1);
      assert.match(afterSecond.rtmp.lastRejection, /already publishing/);
      assert.equal(afterSecond.rtmp.publishes, 1);

      // The player page as an operator opens it: the stream, and (with an API key in the fragment) how to send to it.
      await playsInChromium(`http://127.0.0.1:${system.apiPort}/player?stream=obs#apikey=${system.token}`, async (page) => {
        await page.waitForFunction(() => document.getElementById('send')?.hidden === false, undefined, { timeout: 10_000 });
        const send = await page.evaluate(() => ({
          ffmpeg: document.getElementById('send-ffmpeg')?.textContent,
          key: document.getElementById('send-obs-key')?.textContent,
        }));
        assert.match(send.ffmpeg ?? '', / -f flv "rtmp:\/\/127\.0\.0\.1:\d+\/live\/obs\?secret=SECRET"$/);
        assert.equal(send.key, 'obs?secret=SECRET');
      });
    } finally {
      encoder.child.kill('SIGKILL');
      await encoder.done.catch(() => undefined);
    }
  });

  it('a dropped publisher frees the key at once; wrong secrets, no secret and unknown keys are refused before any media', async () => {
    await eventually(async () => ((await status()).rtmp.state === 'waiting' ? true : undefined), 15_000, 'the killed publisher noticed gone');
    const before = await status();
    for (const name of ['obs?secret=wrong-secret-wrong-secret', 'obs', 'nosuchkey?secret=' + secret]) {
      const refused = publish(name, 4);
      assert.notEqual(await refused.done, 0, `${name} refused`);
    }
    const s = await eventually(async () => ((await status()).rtmp.rejected >= before.rtmp.rejected + 2 ? await status() : undefined), 5000, 'refusals counted');
    assert.equal(s.rtmp.rejected, before.rtmp.rejected + 2, 'two refusals of this stream (the unknown key is not its)');
    assert.match(s.rtmp.lastRejection, /no secret/);
    assert.equal(s.segmentsWritten, before.segmentsWritten, 'nothing of them reached the packager');
    assert.equal(s.rtmp.publishes, 1);

    // Garbage instead of an RTMP handshake takes nothing down.
    await new Promise<void>((resolve) => {
      const socket = net.connect(rtmpPort, '127.0.0.1', () => socket.end(Buffer.alloc(5000, 0x5a)));
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });

    // The publisher comes back as a new user would: the ffmpeg line ingest-urls gives, secret filled in.
    const urls = (await system.api('GET', '/api/v1/streams/obs/ingest-urls?host=127.0.0.1')).json;
    assert.equal(urls.protocol, 'rtmp');
    assert.deepEqual(urls.obs, { server: `rtmp://127.0.0.1:${rtmpPort}/live`, streamKey: 'obs?secret=SECRET' });
    assert.doesNotMatch(JSON.stringify(urls), new RegExp(secret), 'the secret is not repeated');
    const line = urls.ffmpeg.replace('SECRET', secret).replace('ffmpeg ', 'ffmpeg -v error ').replace(' -f flv', ' -t 8 -f flv');
    const child = spawn('sh', ['-c', line], { stdio: 'ignore' });
    const done = new Promise((resolve) => child.once('exit', resolve));
    try {
      const back = await eventually(
        async () => {
          const now = await status();
          return now.rtmp.publishes === 2 && now.segmentsWritten >= before.segmentsWritten + 3 ? now : undefined;
        },
        30_000,
        'the publisher back, segments again',
      );
      assert.equal(back.rtmp.readerRestarts, 0);
      assert.equal(back.rtmp.state, 'publishing');
    } finally {
      child.kill('SIGKILL');
      await done;
    }
  });

  it('a new secret disconnects the publisher in, and only the new one is let in', async () => {
    await eventually(async () => ((await status()).rtmp.state === 'waiting' ? true : undefined), 15_000, 'the last publisher gone');
    const old = publish(`obs?secret=${secret}`, 60);
    try {
      await eventually(async () => ((await status()).rtmp.state === 'publishing' ? true : undefined), 20_000, 'publishing');
      const patched = await system.api('PATCH', '/api/v1/streams/obs', { ingest: { rtmp: { secret: 'a-brand-new-secret-0123' } } });
      assert.equal(patched.status, 200, JSON.stringify(patched.json));
      assert.equal(patched.json.ingest.rtmp.secret, 'a-brand-new-secret-0123', 'shown in the answer that set it');
      assert.notEqual(await old.done, 0, 'the publisher with the old secret was disconnected');
      const refused = publish(`obs?secret=${secret}`, 4);
      assert.notEqual(await refused.done, 0, 'the old secret no longer works');
      const fresh = publish('obs?secret=a-brand-new-secret-0123', 6);
      await eventually(async () => ((await status()).rtmp.state === 'publishing' ? true : undefined), 20_000, 'the new secret let in');
      assert.match((await status()).rtmp.lastRejection, /wrong secret/);
      fresh.child.kill('SIGKILL');
      await fresh.done.catch(() => undefined);
    } finally {
      old.child.kill('SIGKILL');
      await old.done.catch(() => undefined);
    }
  });

  it('a killed RTMP front is started again; its publishers count as gone and get back in', async () => {
    await eventually(async () => ((await status()).rtmp.state === 'waiting' ? true : undefined), 15_000, 'the last publisher gone');
    const first = publish('obs?secret=a-brand-new-secret-0123', 60);
    try {
      const before = await eventually(async () => ((await status()).rtmp.state === 'publishing' ? await status() : undefined), 20_000, 'publishing');
      const pid = Number((await readFile(path.join(system.dataDir, 'nginx', 'rtmp', 'nginx.pid'), 'utf8')).trim());
      process.kill(pid, 'SIGKILL');
      assert.notEqual(await first.done, 0, 'the publisher lost its connection');
      await eventually(async () => ((await status()).rtmp.state === 'waiting' ? true : undefined), 10_000, 'the publisher counted gone');
      // An encoder retries until the front is back (OBS does by itself); so does this one.
      await eventually(async () => ((await accepts(rtmpPort)) ? true : undefined), 10_000, 'the front listening again').catch((error: Error) => {
        throw new Error(`${error.message}; the control plane said: ${system.proc.output().slice(-2000)}`);
      });
      const again = publish('obs?secret=a-brand-new-secret-0123', 8);
      const back = await eventually(
        async () => {
          const s = await status();
          return s.rtmp.publishes > before.rtmp.publishes && s.segmentsWritten >= before.segmentsWritten + 3 ? s : undefined;
        },
        30_000,
        'back in through the restarted front, segments again',
      ).catch(async (error: Error) => {
        throw new Error(`${error.message}: ${JSON.stringify((await status()).rtmp)}; the publisher said: ${again.stderr()}`);
      });
      assert.equal(back.rtmp.state, 'publishing', 'not refused as "already publishing"');
      again.child.kill('SIGKILL');
      await again.done.catch(() => undefined);
    } finally {
      first.child.kill('SIGKILL');
      await first.done.catch(() => undefined);
    }
  });
});
