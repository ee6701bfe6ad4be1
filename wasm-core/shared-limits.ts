// Limits that the WebAssembly build, its host wrappers, the reference model and the njs modules
// all need, written once. Plain constants in the common subset of AssemblyScript and TypeScript:
// assembly/ imports this file as it is, and the TypeScript build compiles it for the rest (the
// control plane hands the njs modules the same values in the rules.js it generates).

/** Largest datagram accepted: an Ethernet MTU payload. RTP/MPEG-TS is 12 + 7 x 188 = 1328 bytes. */
export const MAX_DATAGRAM = 1500;
/** Bytes per packet slot: MAX_DATAGRAM rounded up to a multiple of 16 for SIMD XOR. */
export const SLOT_BYTES = 1504;
/** Fixed RTP header (RFC 3550 5.1); CSRCs and extensions come after it. */
export const RTP_HEADER = 12;
/** SMPTE 2022-1 FEC header, right after the 12-byte RTP header of a FEC packet. */
export const FEC_HEADER = 16;
/** Released packets remembered without FEC, to recognise duplicates. */
export const DUPLICATE_HISTORY = 64;
/** The least reordering tolerated, in packets, whatever the configuration asks. */
export const MIN_REORDER_PACKETS = 16;
/** FEC packets kept at once: three matrices of the largest shape (L + D <= 24 at L x D <= 100). */
export const FEC_ENTRIES = 128;
/** RFC 3550 A.1: a jump of more than this many sequence numbers is a restart or garbage. */
export const MAX_DROPOUT = 3000;
/** RFC 3550 A.1: a packet this far behind is old, not a restart. */
export const MAX_MISORDER = 100;
/** RTP clock of MPEG-TS payloads (RFC 2250 / RFC 3551 payload type 33): 90 kHz. */
export const RTP_CLOCK_RATE = 90000;

/** Longest ABR ladder the cwnd scratch area holds; real ladders have 3 to 8 rungs. */
export const MAX_LADDER = 32;

/**
 * The MSS assumed for throughput estimates: nginx exposes cwnd in segments but not the MSS, and
 * 1448 is Ethernet's 1500 less IPv4 (20), TCP (20) and timestamp options (12).
 */
export const ASSUMED_MSS = 1448;
