// A pipe delivers MPEG-TS in chunks of any length; the packager takes whole 188-byte packets
// (as datagrams carry them). This holds the tail of each chunk until the rest of its packet comes.
import { TS_PACKET_SIZE } from './ts-packet.js';

export class TsRealigner {
  private readonly tail = new Uint8Array(TS_PACKET_SIZE);
  private tailLength = 0;

  /** Hands `sink` the whole packets of what has come so far, in order; keeps a partial last packet. */
  push(chunk: Uint8Array, sink: (packets: Uint8Array) => void): void {
    let at = 0;
    if (this.tailLength > 0) {
      const needed = TS_PACKET_SIZE - this.tailLength;
      const taken = Math.min(needed, chunk.length);
      this.tail.set(chunk.subarray(0, taken), this.tailLength);
      this.tailLength += taken;
      at = taken;
      if (this.tailLength < TS_PACKET_SIZE) return;
      sink(this.tail);
      this.tailLength = 0;
    }
    const whole = at + Math.floor((chunk.length - at) / TS_PACKET_SIZE) * TS_PACKET_SIZE;
    if (whole > at) sink(chunk.subarray(at, whole));
    this.tail.set(chunk.subarray(whole), 0);
    this.tailLength = chunk.length - whole;
  }

  /** Forgets a partial packet (the writer behind the pipe restarted). */
  reset(): void {
    this.tailLength = 0;
  }
}
