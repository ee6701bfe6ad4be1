import { RECEIVER_STATS } from './receiver-stats.generated.js';

/** Names of the receiver's counters and gauges, in memory order: generated from assembly/stats.ts. */
export { RECEIVER_STATS };

export type ReceiverStats = Record<(typeof RECEIVER_STATS)[number], number>;

/** Entries that are levels, not counts: milliseconds and microseconds (jitterMs, delayUs, intervalUs). */
export function isGauge(name: string): boolean {
  return /(Ms|Us)$/.test(name);
}
