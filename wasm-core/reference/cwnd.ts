// The cwnd math written plainly, to check the WebAssembly and njs builds against.
import { MAX_LADDER } from '../shared-limits.js';

const MATHIS_C = Math.sqrt(3 / 2);

/** cwnd x MSS per (RTT + RTTVAR), in kbit/s; bounded by Mathis (MSS/RTT x C/sqrt(p)) when p is known. */
export function referenceThroughputKbps(rttUs: number, rttvarUs: number, cwndSegments: number, mssBytes: number, lossRate: number): number {
  if (!(rttUs > 0) || !(cwndSegments > 0) || !(mssBytes > 0)) return 0;
  const rtt = rttUs + (rttvarUs > 0 ? rttvarUs : 0);
  const windowLimited = (cwndSegments * mssBytes * 8000) / rtt;
  if (!(lossRate > 0 && lossRate <= 1)) return windowLimited;
  const lossLimited = ((mssBytes * 8000) / rtt) * (MATHIS_C / Math.sqrt(lossRate));
  return Math.min(windowLimited, lossLimited);
}

export function referencePacingBytesPerSecond(etpKbps: number, gain: number): number {
  if (!(etpKbps > 0) || !(gain > 0)) return 0;
  return Math.floor(etpKbps * 125 * gain);
}

export function referenceSelectRendition(ladderKbps: readonly number[], etpKbps: number, safety: number): number {
  if (ladderKbps.length === 0) return -1;
  const budget = etpKbps * safety;
  let best = 0;
  ladderKbps.slice(0, MAX_LADDER).forEach((kbps, i) => {
    if (kbps <= budget) best = i;
  });
  return best;
}
