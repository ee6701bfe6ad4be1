import { instantiateCore } from './load.js';
import { RECEIVER_STATS, ReceiverStats } from './stats.js';

export interface ReceiverOptions {
  /** SMPTE 2022-1 matrix; omit for no FEC. */
  fec?: { columns: number; rows: number } | null;
  /** Expected RTP payload type; 33 is MP2T. -1 accepts any. */
  payloadType?: number;
  /** Playout delay bounds, microseconds. The delay adapts to jitter and the FEC hold between them. */
  minDelayUs?: number;
  maxDelayUs?: number;
  /** Packets the network may reorder beyond the FEC hold. */
  reorderPackets?: number;
}

/**
 * Called for each packet released in sequence order. `payload` is a view into WebAssembly
 * memory, valid only until the next call into the receiver: copy what you keep.
 */
export type PacketSink = (payload: Uint8Array, extendedSeq: number, recovered: boolean) => void;

interface CoreExports extends Record<string, unknown> {
  initReceiver(columns: number, rows: number, pt: number, minDelayUs: number, maxDelayUs: number, reorder: number): void;
  pushMedia(len: number, nowUs: number): number;
  pushFec(len: number, nowUs: number): number;
  tick(nowUs: number): number;
  controlPtr(): number;
  statsPtr(): number;
  slotBytes(): number;
}

export const RECEIVER_DEFAULTS = { payloadType: 33, minDelayUs: 20_000, maxDelayUs: 2_000_000, reorderPackets: 64 };

/**
 * One stream's receive path in WebAssembly. Each datagram is copied once, into the module's
 * input slot; one call per datagram; released packets are read from the control block.
 */
export class WasmReceiver {
  private readonly core: CoreExports;
  private readonly bytes: Uint8Array;
  private readonly words: Int32Array;
  private readonly stats: Float64Array;
  private readonly control: number;
  private readonly slotBytes: number;

  constructor(options: ReceiverOptions = {}) {
    this.core = instantiateCore<CoreExports>();
    const o = { ...RECEIVER_DEFAULTS, ...options };
    this.core.initReceiver(o.fec?.columns ?? 0, o.fec?.rows ?? 0, o.payloadType, o.minDelayUs, o.maxDelayUs, o.reorderPackets);
    // All memory is allocated by initReceiver, so these views stay valid.
    const buffer = (this.core.memory as WebAssembly.Memory).buffer;
    this.bytes = new Uint8Array(buffer);
    this.words = new Int32Array(buffer);
    this.stats = new Float64Array(buffer, this.core.statsPtr(), RECEIVER_STATS.length);
    this.control = this.core.controlPtr() >>> 2;
    this.slotBytes = this.core.slotBytes();
  }

  pushMedia(datagram: Uint8Array, nowUs: number, sink: PacketSink): number {
    return this.deliver(this.core.pushMedia(this.copyIn(datagram), nowUs), sink);
  }

  pushFec(datagram: Uint8Array, nowUs: number, sink: PacketSink): number {
    return this.deliver(this.core.pushFec(this.copyIn(datagram), nowUs), sink);
  }

  /** Releases what is due when no packets arrive; call every few milliseconds. */
  tick(nowUs: number, sink: PacketSink): number {
    return this.deliver(this.core.tick(nowUs), sink);
  }

  readStats(): ReceiverStats {
    const out = {} as ReceiverStats;
    RECEIVER_STATS.forEach((name, i) => (out[name] = this.stats[i]));
    return out;
  }

  /** Copies at most one slot; a longer datagram keeps its true length so the module rejects it. */
  private copyIn(datagram: Uint8Array): number {
    const input = this.words[this.control];
    const n = Math.min(datagram.length, this.slotBytes);
    this.bytes.set(n === datagram.length ? datagram : datagram.subarray(0, n), input);
    return datagram.length;
  }

  private deliver(count: number, sink: PacketSink): number {
    for (let i = 0, at = this.control + 4; i < count; i++, at += 4) {
      const ptr = this.words[at];
      const len = this.words[at + 1];
      sink(this.bytes.subarray(ptr, ptr + len), this.words[at + 2] >>> 0, (this.words[at + 3] & 1) === 1);
    }
    return count;
  }
}
