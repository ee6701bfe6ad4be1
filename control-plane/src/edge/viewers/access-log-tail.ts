import { open, stat } from 'node:fs/promises';

/** Bytes read per poll at most, so a burst of log lines cannot stall the event loop for long. */
const MAX_READ_BYTES = 8 * 1024 * 1024;

/**
 * Follows a log file that nginx appends to: each read returns the complete lines added since the
 * last one. A file that shrank (rotated, truncated) is read again from its start.
 */
export class AccessLogTail {
  private offset = 0;
  private partial = '';

  constructor(private readonly file: string) {}

  async readLines(): Promise<string[]> {
    const size = await stat(this.file).then((s) => s.size, () => null);
    if (size === null) return [];
    if (size < this.offset) {
      this.offset = 0;
      this.partial = '';
    }
    if (size === this.offset) return [];
    const handle = await open(this.file, 'r');
    try {
      const length = Math.min(size - this.offset, MAX_READ_BYTES);
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, this.offset);
      this.offset += bytesRead;
      const text = this.partial + buffer.subarray(0, bytesRead).toString('utf8');
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      return lines.filter((l) => l !== '');
    } finally {
      await handle.close();
    }
  }
}
