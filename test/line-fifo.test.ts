import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { LineFifo } from '../control-plane/src/media/supervision/line-fifo.js';

const run = promisify(execFile);

describe('LineFifo: text lines from a helper through a named pipe', () => {
  it('reads lines from writers that come and go (a restarted helper), without blocking on open, and cleans up', async () => {
    const lines: string[] = [];
    // Opened before any writer exists: the constructor must not wait for one.
    const fifo = new LineFifo('hls-test-fifo', (line) => lines.push(line));
    try {
      assert.ok(statSync(fifo.path).isFIFO());
      assert.equal(statSync(fifo.path).mode & 0o777, 0o600);
      // Two writers one after the other, as srt-live-transmit and its restarted successor open it.
      await run('sh', ['-c', `printf '{"a":1}\\n{"a":' > '${fifo.path}'`]);
      await run('sh', ['-c', `printf '2}\\nlast\\n' > '${fifo.path}'`]);
      for (let i = 0; i < 100 && lines.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(lines, ['{"a":1}', '{"a":2}', 'last']);
    } finally {
      fifo.close();
    }
    assert.equal(existsSync(path.dirname(fifo.path)), false);
  });
});
