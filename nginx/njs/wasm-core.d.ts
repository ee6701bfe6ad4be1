// wasm-core.js is the wasm2js build of wasm-core/assembly/njs.ts (wasm-core/build.mjs): the cwnd math.
declare const core: {
  memory: { buffer: ArrayBuffer };
  estimateThroughputKbps(rttUs: number, rttvarUs: number, cwndSegments: number, mssBytes: number, lossRate: number): number;
  pacingRateBytesPerSecond(etpKbps: number, gain: number): number;
  selectRendition(count: number, etpKbps: number, safety: number): number;
  cwndScratchPtr(): number;
};
export default core;
