import { ASSUMED_MSS, MAX_LADDER } from '../shared-limits.js';
import { instantiateCore } from './load.js';

interface CwndExports extends Record<string, unknown> {
  estimateThroughputKbps(rttUs: number, rttvarUs: number, cwnd: number, mss: number, lossRate: number): number;
  pacingRateBytesPerSecond(etpKbps: number, gain: number): number;
  selectRendition(count: number, etpKbps: number, safety: number): number;
  cwndScratchPtr(): number;
}

/** The cwnd math of wasm-core for the control plane (server-guided ABR). */
export class CwndMath {
  private readonly core = instantiateCore<CwndExports>();

  throughputKbps(rttUs: number, rttvarUs: number, cwndSegments: number, mssBytes = ASSUMED_MSS, lossRate = 0): number {
    return this.core.estimateThroughputKbps(rttUs, rttvarUs, cwndSegments, mssBytes, lossRate);
  }

  pacingBytesPerSecond(etpKbps: number, gain = 1): number {
    return this.core.pacingRateBytesPerSecond(etpKbps, gain);
  }

  /** Index of the highest ladder rung (kbit/s, ascending) under etp x safety; -1 for an empty ladder. */
  selectRendition(ladderKbps: readonly number[], etpKbps: number, safety: number): number {
    if (ladderKbps.length > MAX_LADDER) throw new RangeError(`a ladder has at most ${MAX_LADDER} rungs, got ${ladderKbps.length}`);
    const view = new Float64Array((this.core.memory as WebAssembly.Memory).buffer, this.core.cwndScratchPtr(), MAX_LADDER);
    view.set(ladderKbps);
    return this.core.selectRendition(ladderKbps.length, etpKbps, safety);
  }
}
