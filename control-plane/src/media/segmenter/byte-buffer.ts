/** A growable byte buffer for the segment being built: appends copy, cuts move the tail down. */
export class ByteBuffer {
  private bytes: Uint8Array;
  length = 0;

  constructor(initial = 1 << 20) {
    this.bytes = new Uint8Array(initial);
  }

  append(chunk: Uint8Array): void {
    if (this.length + chunk.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + chunk.length));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(chunk, this.length);
    this.length += chunk.length;
  }

  /** Returns a copy of [0, at) and keeps [at, length) as the new content, after `prefix`. */
  cut(at: number, prefix: Uint8Array): Uint8Array {
    const head = this.bytes.slice(0, at);
    const tail = this.bytes.slice(at, this.length);
    this.length = 0;
    this.append(prefix);
    this.append(tail);
    return head;
  }

  /** Drops [0, at) (data before the first keyframe), keeping the rest after `prefix`. */
  discard(at: number, prefix: Uint8Array): void {
    this.cut(at, prefix);
  }

  clear(): void {
    this.length = 0;
  }
}
