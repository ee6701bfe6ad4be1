/** The 90 kHz clock of PTS/DTS/PCR wraps at 2^33 ticks (about 26.5 hours). */
export const PTS_WRAP = 2 ** 33;
export const PTS_HZ = 90_000;

/** Two unwrapped timestamps of the same instant (two demuxers' unwrapped values may differ by whole wraps). */
export function samePts(a: number, b: number): boolean {
  return (a - b) % PTS_WRAP === 0;
}

/** Reads a 33-bit PTS or DTS from 5 bytes (ISO/IEC 13818-1 2.4.3.7); marker bits are ignored. */
export function readTimestamp(b: Uint8Array, at: number): number {
  return ((b[at] & 0x0e) >> 1) * 2 ** 30 + b[at + 1] * 2 ** 22 + (b[at + 2] >> 1) * 2 ** 15 + b[at + 3] * 2 ** 7 + (b[at + 4] >> 1);
}

/**
 * Turns wrapping 33-bit timestamps into a monotonic timeline: each value is placed at the
 * unwrapped position nearest the previous one, so a wrap adds 2^33 and a small step back stays
 * a step back.
 */
export class TimestampUnwrapper {
  private last: number | null = null;

  unwrap(value: number): number {
    if (this.last === null) {
      this.last = value;
      return value;
    }
    const base = this.last - (((this.last % PTS_WRAP) + PTS_WRAP) % PTS_WRAP);
    let candidate = base + value;
    if (candidate - this.last > PTS_WRAP / 2) candidate -= PTS_WRAP;
    else if (this.last - candidate > PTS_WRAP / 2) candidate += PTS_WRAP;
    this.last = candidate;
    return candidate;
  }

  reset(): void {
    this.last = null;
  }
}
