// Sizes of everything the receiver keeps, each with the reason for its number.

/** Largest datagram accepted: an Ethernet MTU payload. RTP/MPEG-TS is 12 + 7 x 188 = 1328 bytes. */
export const MAX_DATAGRAM: i32 = 1500;
/** Bytes per packet slot: MAX_DATAGRAM rounded up to a multiple of 16 for SIMD XOR. */
export const SLOT_BYTES: i32 = 1504;
/** Fixed RTP header; CSRCs and extensions come after it. */
export const RTP_HEADER: i32 = 12;
/** SMPTE 2022-1 FEC header, right after the 12-byte RTP header of a FEC packet. */
export const FEC_HEADER: i32 = 16;
/** FEC packets kept at once: three matrices of the largest shape (L + D <= 24 at L x D <= 100). */
export const FEC_ENTRIES: i32 = 128;
/** RFC 3550 A.1: a jump of more than this many sequence numbers is a restart or garbage. */
export const MAX_DROPOUT: i32 = 3000;
/** RFC 3550 A.1: a packet this far behind is old, not a restart. */
export const MAX_MISORDER: i32 = 100;

/** Ring sizes are powers of two so an extended sequence maps to a cell with a mask. */
export function nextPowerOfTwo(n: i32): i32 {
  let p = 64;
  while (p < n) p <<= 1;
  return p;
}
