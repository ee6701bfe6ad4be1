// Limits that the WebAssembly build, its host wrappers, the reference model and the njs modules
// all need, written once. Plain constants in the common subset of AssemblyScript and TypeScript:
// assembly/ imports this file as it is, and the TypeScript build compiles it for the rest (the
// control plane hands the njs modules the same values in the rules.js it generates).

/** Longest ABR ladder the cwnd scratch area holds; real ladders have 3 to 8 rungs. */
export const MAX_LADDER = 32;

/**
 * The MSS assumed for throughput estimates: nginx exposes cwnd in segments but not the MSS, and
 * 1448 is Ethernet's 1500 less IPv4 (20), TCP (20) and timestamp options (12).
 */
export const ASSUMED_MSS = 1448;
