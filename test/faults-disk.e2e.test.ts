import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, readdir, rm, rmdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEncoder } from './support/encoder.js';
import { freeUdpPortBlock } from './support/ports.js';
import { eventually, startSystem, SystemUnderTest } from './support/system.js';

/** MEDIA_ROOT's size: a few dozen segments of the 4 Mbit/s feed. */
const TMPFS_SIZE = '20m';

/** Appends to `file` until the file system is full (ENOSPC); returns the bytes written. */
async function fillUp(file: string): Promise<number> {
  const handle = await open(file, 'a');
  const chunk = Buffer.alloc(64 * 1024, 1);
  let written = 0;
  try {
    for (;;) {
      try {
        written += (await handle.write(chunk)).bytesWritten;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        break;
      }
    }
    // The last partial block.
    for (const size of [4096, 512, 1]) {
      for (;;) {
        try {
          written += (await handle.write(chunk.subarray(0, size))).bytesWritten;
        } catch {
          break;
        }
      }
    }
  } finally {
    await handle.close();
  }
  return written;
}

/**
 * Fault suite, disk side: MEDIA_ROOT on a real 20 MB tmpfs (root mounts it; CI runs as root), a
 * 4 Mbit/s feed, the disk filled to the last byte while live, then freed.
 */
describe('faults: a full disk under a live stream', () => {
  let system: SystemUnderTest;
  let encoder: ReturnType<typeof startEncoder>;
  let mount: string;
  let keepFull = true;
  let filling: Promise<void> = Promise.resolve();
  const status = async () => (await system.api('GET', '/api/v1/streams/disk/status')).json;
  const filler = () => path.join(mount, 'filler');

  before(async () => {
    mount = await mkdtemp(path.join(os.tmpdir(), 'hls-tmpfs-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE},mode=0755`, 'tmpfs', mount]);
    } catch (error) {
      throw new Error(`this fault test mounts a tmpfs and needs root (CI runs as root): ${(error as Error).message}`);
    }
    system = await startSystem({ env: { MEDIA_ROOT: path.join(mount, 'media') } });
    const port = await freeUdpPortBlock();
    assert.equal(
      (await system.api('POST', '/api/v1/streams', { key: 'disk', ingest: { protocol: 'udp', port }, packaging: { segmentSeconds: 1, windowSegments: 4 } }))
        .status,
      201,
    );
    encoder = startEncoder({ protocol: 'udp', port, seconds: 180, bitrateKbps: 4000 });
    await eventually(async () => ((await status()).segmentsWritten >= 3 ? true : undefined), 30_000, 'three segments');
  });
  after(async () => {
    keepFull = false;
    await filling;
    encoder?.child.kill('SIGINT');
    await encoder?.done;
    await system?.dispose();
    if (mount) {
      execFileSync('umount', ['-l', mount]);
      await rmdir(mount);
    }
  });

  it('fails the segments it cannot write, not the stream: degraded with the error and counters, retention goes on, and it recovers when space returns', async () => {
    const before = await status();
    assert.equal(before.state, 'live');
    assert.equal(before.writeFailures, 0);
    assert.ok(before.mediaRootFreeBytes > 0);

    // Keep the disk full while we watch: retention frees space every few seconds, and it is taken again.
    keepFull = true;
    filling = (async () => {
      while (keepFull) {
        await fillUp(filler());
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const degraded = await eventually(
      async () => {
        const s = await status();
        return s.state === 'degraded' ? s : undefined;
      },
      30_000,
      'state degraded',
    );
    assert.match(degraded.error, /ENOSPC|no space/i);
    assert.ok(degraded.writeFailures >= 1);
    assert.ok(degraded.mediaRootFreeBytes < 1024 * 1024, `free bytes ${degraded.mediaRootFreeBytes}`);
    const metrics = await (await fetch(`http://127.0.0.1:${system.apiPort}/metrics`)).text();
    assert.match(metrics, /^hls_output_write_failures_total\{stream="disk"\} [1-9]\d*$/m);
    assert.match(metrics, /^hls_stream_degraded\{stream="disk"\} 1$/m);
    assert.match(metrics, /^hls_media_root_free_bytes\{stream="disk"\} \d+$/m);

    // Several more segment durations full: old segments keep being deleted (the window is 4).
    await new Promise((r) => setTimeout(r, 6000));
    const files = (await readdir(path.join(mount, 'media', 'live', 'disk', 'source'))).filter((f) => /^seg\d+\.ts$/.test(f));
    assert.ok(files.length <= 12, `retention kept deleting: ${files.length} segment files on disk`);

    keepFull = false;
    await filling;
    await rm(filler());
    const failuresAtRecovery = (await status()).writeFailures;
    const recovered = await eventually(
      async () => {
        const s = await status();
        return s.state === 'live' && s.error === null && s.segmentsWritten >= degraded.segmentsWritten + 2 ? s : undefined;
      },
      30_000,
      'live again with new segments',
    );
    assert.ok(recovered.writeFailures >= failuresAtRecovery, 'the counter is a total');
    assert.match(await (await fetch(`http://127.0.0.1:${system.apiPort}/metrics`)).text(), /^hls_stream_degraded\{stream="disk"\} 0$/m);

    // The playlist is whole and valid: the lost segments are a discontinuity, every listed segment is there.
    // (The window is short: the gap may already have slid out, counted by EXT-X-DISCONTINUITY-SEQUENCE.)
    const playlist = await (await system.origin('/live/disk/source/index.m3u8')).text();
    const discontinuitySequence = Number(/#EXT-X-DISCONTINUITY-SEQUENCE:(\d+)/.exec(playlist)?.[1] ?? 0);
    assert.ok(/#EXT-X-DISCONTINUITY\n/.test(playlist) || discontinuitySequence > before.discontinuitySequence, playlist);
    for (const uri of playlist.split('\n').filter((l) => l.endsWith('.ts'))) {
      const res = await system.origin(`/live/disk/source/${uri}`);
      assert.equal(res.status, 200, uri);
      await res.arrayBuffer();
    }
    const logged = system.proc.output().match(/writing output failed \(/g)?.length ?? 0;
    assert.ok(logged >= 1 && logged <= 4, `a full disk is logged, without flooding the log: ${logged} lines for ${recovered.writeFailures} failures`);
  });
});
