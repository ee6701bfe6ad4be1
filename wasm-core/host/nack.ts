// The retransmission-request schedule of wasm-core for the control plane (RIST receivers): one
// instance per stream, its own memory. See wasm-core/reference/nack.ts for the rules.
import type { NackConfig, NackStats } from '../reference/nack.js';
import { instantiateCore } from './load.js';

interface NackExports extends Record<string, unknown> {
  nackInit(window: number, reorderUs: number, minIntervalUs: number, maxAttempts: number, bufferUs: number): void;
  nackSetRtt(rttUs: number): void;
  nackArrived(seq: number, nowUs: number): number;
  nackDue(nowUs: number): number;
  nackOutPtr(): number;
  nackStatsPtr(): number;
}

const STAT_NAMES: (keyof NackStats)[] = ['missing', 'requests', 'fciWords', 'recovered', 'filled', 'late', 'lost'];

export class WasmNack {
  private readonly core = instantiateCore<NackExports>();

  constructor(config: NackConfig) {
    if (!Number.isInteger(Math.log2(config.window)) || config.window < 64)
      throw new RangeError(`window must be a power of two of at least 64, got ${config.window}`);
    this.core.nackInit(config.window, config.reorderUs, config.minIntervalUs, config.maxAttempts, config.bufferUs);
  }

  setRtt(rttUs: number): void {
    this.core.nackSetRtt(rttUs);
  }

  /** `seq`: the extended sequence number. Returns how it counted (ARRIVAL_* of the reference). */
  arrived(seq: number, nowUs: number): number {
    return this.core.nackArrived(seq, nowUs);
  }

  /** The RFC 4585 generic NACK FCI words, (PID << 16) | BLP, of the requests due now. */
  due(nowUs: number): Uint32Array {
    const count = this.core.nackDue(nowUs);
    return new Uint32Array(this.core.memory.buffer, this.core.nackOutPtr(), count);
  }

  stats(): NackStats {
    const view = new Float64Array(this.core.memory.buffer, this.core.nackStatsPtr(), STAT_NAMES.length);
    return Object.fromEntries(STAT_NAMES.map((name, i) => [name, view[i]])) as unknown as NackStats;
  }
}
