// Sizes of everything the receiver keeps, each with the reason for its number.

/** Largest datagram accepted: an Ethernet MTU payload. RTP/MPEG-TS is 12 + 7 x 188 = 1328 bytes. */
export const MAX_DATAGRAM: i32 = 1500;
/** Bytes per packet slot: MAX_DATAGRAM rounded up to a multiple of 16 for SIMD XOR. */
export const SLOT_BYTES: i32 = 1504;
/** Fixed RTP header; CSRCs and extensions come after it. */
export const RTP_HEADER: i32 = 12;
/** SMPTE 2022-1 FEC header, right after the 12-byte RTP header of a FEC packet. */
export const FEC_HEADER: i32 = 16;
// Limits the reference model and the host need too are stated in ../shared-limits.ts.
export { FEC_ENTRIES, MAX_DROPOUT, MAX_MISORDER, RTP_CLOCK_RATE } from '../shared-limits';

/** Ring sizes are powers of two so an extended sequence maps to a cell with a mask. */
export function nextPowerOfTwo(n: i32): i32 {
  let p = 64;
  while (p < n) p <<= 1;
  return p;
}
