/**
 * A growable byte buffer for the segment being built. Appends copy; a cut hands the head over
 * without copying it and moves only the tail into fresh (uninitialised, then filled) memory.
 */
export class ByteBuffer {
  private bytes: Uint8Array;
  length = 0;

  constructor(initial = 1 << 20) {
    this.bytes = Buffer.allocUnsafe(initial);
  }

  append(chunk: Uint8Array): void {
    if (this.length + chunk.length > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + chunk.length));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(chunk, this.length);
    this.length += chunk.length;
  }

  /** Returns [0, at) and keeps [at, length) as the new content, after `prefix`. */
  cut(at: number, prefix: Uint8Array): Uint8Array {
    const old = this.bytes;
    const tail = old.subarray(at, this.length);
    this.bytes = Buffer.allocUnsafe(Math.max(old.length, prefix.length + tail.length));
    this.length = 0;
    this.append(prefix);
    this.append(tail);
    return old.subarray(0, at);
  }

  /** The bytes from start to end, without copying: valid until the next append, cut or clear. */
  view(start: number, end: number): Uint8Array {
    return this.bytes.subarray(start, Math.min(end, this.length));
  }

  clear(): void {
    this.length = 0;
  }

  /** Empties the buffer and gives back memory it grew into (after a runaway segment). */
  release(initial = 1 << 20): void {
    this.length = 0;
    if (this.bytes.length > initial) this.bytes = Buffer.allocUnsafe(initial);
  }
}
