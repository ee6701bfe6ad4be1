import assert from 'node:assert/strict';
import { watch } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { writeFileAtomic, writeFilesAtomic } from '../control-plane/src/media/output/atomic-file.js';

describe('atomic file writes (playlists are replaced while nginx serves them)', () => {
  it('replaces several files, each whole, in the order given, and leaves no temporary file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'atomic-'));
    try {
      await writeFile(path.join(dir, 'delta.m3u8'), 'old delta');
      await writeFile(path.join(dir, 'index.m3u8'), 'old full');
      const renamed: string[] = [];
      const watcher = watch(dir, (event, name) => {
        if (event === 'rename' && name && !name.endsWith('.tmp')) renamed.push(name);
      });
      await writeFilesAtomic([
        [path.join(dir, 'delta.m3u8'), 'new delta'],
        [path.join(dir, 'index.m3u8'), new TextEncoder().encode('new full')],
      ]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      watcher.close();
      assert.equal(await readFile(path.join(dir, 'delta.m3u8'), 'utf8'), 'new delta');
      assert.equal(await readFile(path.join(dir, 'index.m3u8'), 'utf8'), 'new full');
      // A reader that sees the new full playlist finds the new delta already.
      assert.deepEqual(
        renamed.filter((name, i) => renamed.indexOf(name) === i),
        ['delta.m3u8', 'index.m3u8'],
      );
      assert.deepEqual((await readdir(dir)).sort(), ['delta.m3u8', 'index.m3u8']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a write that fails throws and cleans up the temporary copies of the others', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'atomic-'));
    try {
      await assert.rejects(
        writeFilesAtomic([
          [path.join(dir, 'a.m3u8'), 'a'],
          [path.join(dir, 'missing-dir', 'b.m3u8'), 'b'],
        ]),
        /ENOENT/,
      );
      assert.deepEqual(await readdir(dir), []);
      await writeFileAtomic(path.join(dir, 'one.m3u8'), 'one');
      assert.deepEqual(await readdir(dir), ['one.m3u8']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
