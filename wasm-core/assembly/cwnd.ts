// Throughput and rendition choice from the TCP state nginx reports per connection
// ($tcpinfo_rtt and $tcpinfo_rttvar in microseconds, $tcpinfo_snd_cwnd in segments: nginx's ngx_http_core_module, from Linux TCP_INFO).
// Pure functions of their arguments; the ladder is passed through a fixed scratch area.

import { MAX_LADDER } from '../shared-limits';

const ladder = memory.data(MAX_LADDER * 8);

/** Mathis et al. constant C = sqrt(3/2) for the loss-bounded TCP throughput MSS/RTT x C/sqrt(p). */
const MATHIS_C: f64 = 1.224744871391589;

export function cwndScratchPtr(): usize {
  return ladder;
}

/**
 * Estimated deliverable throughput in kbit/s: cwnd x MSS per RTT (CTA-5006's informative
 * estimator), bounded by the Mathis model when a loss rate is known. RTT is the smoothed RTT
 * plus `rttvarUs` (pass 0 for the plain estimate), so a jittery path reads lower.
 */
export function estimateThroughputKbps(rttUs: f64, rttvarUs: f64, cwndSegments: f64, mssBytes: f64, lossRate: f64): f64 {
  if (!(rttUs > 0) || !(cwndSegments > 0) || !(mssBytes > 0)) return 0;
  const effectiveRtt = rttUs + (rttvarUs > 0 ? rttvarUs : 0);
  // bytes per microsecond x 8 bits x 1000 = kbit/s
  let kbps = (cwndSegments * mssBytes * 8000.0) / effectiveRtt;
  if (lossRate > 0 && lossRate <= 1) {
    const mathis = ((mssBytes * 8000.0) / effectiveRtt) * (MATHIS_C / Math.sqrt(lossRate));
    if (mathis < kbps) kbps = mathis;
  }
  return kbps;
}

/** Pacing rate in bytes/s for a throughput estimate and a gain (1.0 = exactly the estimate). */
export function pacingRateBytesPerSecond(etpKbps: f64, gain: f64): f64 {
  if (!(etpKbps > 0) || !(gain > 0)) return 0;
  return Math.floor(etpKbps * 125.0 * gain);
}

/**
 * Index of the highest rung (bitrates in kbit/s, ascending, in the scratch area) that fits
 * under etp x safety; 0 when none fits (the lowest always plays); -1 for an empty ladder.
 */
export function selectRendition(count: i32, etpKbps: f64, safety: f64): i32 {
  if (count <= 0) return -1;
  if (count > MAX_LADDER) count = MAX_LADDER;
  const budget = etpKbps * safety;
  let best = 0;
  for (let i = 0; i < count; i++) {
    if (load<f64>(ladder + (<usize>i << 3)) <= budget) best = i;
  }
  return best;
}
