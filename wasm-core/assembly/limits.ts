// Sizes of everything the receiver keeps, each with the reason for its number.

// Limits the reference model and the host need too are stated in ../shared-limits.ts.
export {
  DUPLICATE_HISTORY, FEC_ENTRIES, FEC_HEADER, MAX_DATAGRAM, MAX_DROPOUT, MAX_MISORDER, MIN_REORDER_PACKETS, RTP_CLOCK_RATE, RTP_HEADER, SLOT_BYTES,
} from '../shared-limits';

/** Ring sizes are powers of two so an extended sequence maps to a cell with a mask. */
export function nextPowerOfTwo(n: i32): i32 {
  let p = 64;
  while (p < n) p <<= 1;
  return p;
}
