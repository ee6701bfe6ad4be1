// ISO BMFF boxes (ISO/IEC 14496-12 4.2) written into one reused buffer: a box is opened with a
// size placeholder, its body written, and its size patched when it is closed. Nothing is allocated
// per box; the buffer only grows (doubling) when a write would not fit.

export class BoxWriter {
  private bytes: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(initial = 64 * 1024) {
    this.bytes = new Uint8Array(initial);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Starts over; what result() returned before is overwritten by the next writes. */
  reset(): void {
    this.length = 0;
  }

  /** The bytes written so far, without copying: valid until the next reset or write. */
  result(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  /** Opens a box; returns where it starts, for close(). */
  open(type: string): number {
    const start = this.length;
    this.u32(0);
    this.fourcc(type);
    return start;
  }

  /** Opens a full box (a box with a version byte and 24 bits of flags). */
  openFull(type: string, version: number, flags: number): number {
    const start = this.open(type);
    this.u8(version);
    this.u24(flags);
    return start;
  }

  close(start: number): void {
    this.view.setUint32(start, this.length - start);
  }

  /** Writes a 32-bit value at an earlier position (a trun data_offset known only later). */
  patchU32(at: number, value: number): void {
    this.view.setUint32(at, value >>> 0);
  }

  fourcc(type: string): void {
    this.ensure(4);
    for (let i = 0; i < 4; i++) this.bytes[this.length + i] = type.charCodeAt(i);
    this.length += 4;
  }

  u8(value: number): void {
    this.ensure(1);
    this.bytes[this.length++] = value & 0xff;
  }

  u16(value: number): void {
    this.ensure(2);
    this.view.setUint16(this.length, value & 0xffff);
    this.length += 2;
  }

  u24(value: number): void {
    this.u8(value >>> 16);
    this.u16(value);
  }

  u32(value: number): void {
    this.ensure(4);
    this.view.setUint32(this.length, value >>> 0);
    this.length += 4;
  }

  i32(value: number): void {
    this.ensure(4);
    this.view.setInt32(this.length, value | 0);
    this.length += 4;
  }

  /** A 64-bit unsigned value from a JavaScript number (exact up to 2^53). */
  u64(value: number): void {
    this.u32(Math.floor(value / 2 ** 32));
    this.u32(value % 2 ** 32);
  }

  bytesOf(data: Uint8Array): void {
    this.ensure(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  zeros(count: number): void {
    this.ensure(count);
    this.bytes.fill(0, this.length, this.length + count);
    this.length += count;
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }
}
