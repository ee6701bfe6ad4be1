// MPEG-TS from a byte stream (a pipe), where reads end anywhere, to whole 188-byte packets as the
// packager takes them (it drops a partial packet at the end of a chunk, which from a datagram is
// loss, but from a pipe would be the first half of the next read's packet).
import { TS_PACKET_SIZE } from './ts-packet.js';

export class TsStreamAligner {
  /** The start of a packet a read ended inside. */
  private readonly carry = new Uint8Array(TS_PACKET_SIZE);
  private carried = 0;

  /** Hands `emit` the whole packets of `chunk`, after any begun in the last one. */
  push(chunk: Uint8Array, emit: (packets: Uint8Array) => void): void {
    let at = 0;
    if (this.carried > 0) {
      const take = Math.min(TS_PACKET_SIZE - this.carried, chunk.length);
      this.carry.set(chunk.subarray(0, take), this.carried);
      this.carried += take;
      at = take;
      if (this.carried < TS_PACKET_SIZE) return;
      // A copy: what is emitted may be queued (the transcoder's stdin) while the carry is reused.
      emit(this.carry.slice());
      this.carried = 0;
    }
    const whole = at + Math.floor((chunk.length - at) / TS_PACKET_SIZE) * TS_PACKET_SIZE;
    if (whole > at) emit(chunk.subarray(at, whole));
    this.carried = chunk.length - whole;
    this.carry.set(chunk.subarray(whole), 0);
  }

  /** A new connection: what was begun belongs to the old one. */
  reset(): void {
    this.carried = 0;
  }
}
