// The receive path written as the simplest model that is correct, to check the WebAssembly build
// against: a Map of held packets by extended sequence number, a Set of FEC packets, no rings, no
// slot pools, no fixed tables. It shares only the limits (shared-limits.ts) with the fast build, so
// a mistake in the fast build's data structures cannot hide by being copied here. Same observable
// behaviour: the same packets released in the same order with the same bytes, and the same counters.
// (The fast build holds at most FEC_ENTRIES FEC packets and evicts the oldest beyond that; the
// scenarios never hold that many at once, so this model keeps them all.) Not fast, and not meant to be.
import {
  DUPLICATE_HISTORY,
  FEC_HEADER,
  MAX_DATAGRAM,
  MAX_DROPOUT,
  MAX_MISORDER,
  MIN_REORDER_PACKETS,
  RTP_CLOCK_RATE as CLOCK_RATE,
  RTP_HEADER,
  SLOT_BYTES,
} from '../shared-limits.js';
import { parseRtpHeader, sequenceDistance } from './rtp.js';

export interface ReferenceOptions {
  fec?: { columns: number; rows: number } | null;
  payloadType?: number;
  minDelayUs?: number;
  maxDelayUs?: number;
  reorderPackets?: number;
}

export interface Released {
  payload: Uint8Array;
  extendedSeq: number;
  recovered: boolean;
}

interface Held {
  ext: number;
  packet: Uint8Array;
  arrival: number;
  recovered: boolean;
  payloadOffset: number;
  payloadLength: number;
}

interface FecEntry {
  packet: Uint8Array;
  base: number;
  step: number;
  count: number;
}

export class ReferenceReceiver {
  readonly stats = {
    received: 0,
    accepted: 0,
    malformed: 0,
    wrongPayloadType: 0,
    duplicates: 0,
    reordered: 0,
    late: 0,
    lost: 0,
    recovered: 0,
    released: 0,
    fecReceived: 0,
    fecMalformed: 0,
    fecMismatch: 0,
    fecStale: 0,
    fecFailed: 0,
    restarts: 0,
    jumps: 0,
    overflow: 0,
  };
  private readonly columns: number;
  private readonly rows: number;
  private readonly payloadType: number;
  private readonly minDelayUs: number;
  private readonly maxDelayUs: number;
  private readonly retain: number;
  private readonly pendingCap: number;
  private readonly maxMisorder: number;

  private readonly held = new Map<number, Held>();
  private readonly fec = new Set<FecEntry>();
  private fecDirty = false;
  private out: Released[] = [];

  // RFC 3550 A.1 state
  private started = false;
  private maxSeq = 0;
  private extMax = 0;
  private badSeq = 0x10001;
  private firstExt = 0;
  // RFC 3550 A.8 state (jitter scaled by 16)
  private jitter = 0;
  private lastTransit = 0;
  private haveTransit = false;

  private haveFirst = false;
  private ssrc = 0;
  private nextSeq = 0;
  private highestSeq = -1;
  private gapSeq = -1;
  private gapDeadline = 0;
  private lastArrival = -1;
  private intervalUs = 0;

  constructor(options: ReferenceOptions = {}) {
    const fec = options.fec && options.fec.columns > 0 && options.fec.rows > 0 ? options.fec : null;
    this.columns = fec ? fec.columns : 0;
    this.rows = fec ? fec.rows : 0;
    this.payloadType = options.payloadType ?? 33;
    this.minDelayUs = options.minDelayUs ?? 20_000;
    const max = options.maxDelayUs ?? 2_000_000;
    this.maxDelayUs = max > this.minDelayUs ? max : this.minDelayUs;
    const reorder = options.reorderPackets ?? 64;
    this.retain = Math.max(this.columns * this.rows + this.columns, DUPLICATE_HISTORY);
    this.pendingCap = (this.columns ? 2 * this.columns * this.rows + 2 * this.columns : 0) + Math.max(reorder, MIN_REORDER_PACKETS);
    // Late rather than a jump as far back as the receiver holds (RFC 3550's 100 at least).
    this.maxMisorder = Math.min(Math.max(MAX_MISORDER, this.retain + this.pendingCap), 65536 - MAX_DROPOUT);
  }

  pushMedia(datagram: Uint8Array, now: number): Released[] {
    this.beginCall();
    this.stats.received++;
    const packet = datagram.slice(0, Math.min(datagram.length, SLOT_BYTES));
    const header = datagram.length > MAX_DATAGRAM ? null : parseRtpHeader(packet);
    if (!header) {
      this.stats.malformed++;
      return this.endCall();
    }
    if (this.payloadType >= 0 && header.payloadType !== this.payloadType) {
      this.stats.wrongPayloadType++;
      return this.endCall();
    }
    if (this.haveFirst && header.ssrc !== this.ssrc) this.restart();
    let verdict = this.updateSequence(header.sequence);
    if (verdict === 'jump') {
      this.stats.jumps++;
      return this.endCall();
    }
    if (verdict === 'restart') {
      this.restart();
      verdict = this.updateSequence(header.sequence);
    }
    const ext = this.extMax + sequenceDistance(this.maxSeq, header.sequence);
    if (!this.haveFirst) {
      this.haveFirst = true;
      this.ssrc = header.ssrc;
      this.nextSeq = ext;
      if (this.highestSeq < ext - 1) this.highestSeq = ext - 1;
      this.gapSeq = -1;
    }
    if (ext < this.nextSeq) {
      if (this.held.has(ext)) this.stats.duplicates++;
      else this.stats.late++;
      return this.endCall();
    }
    if (this.held.has(ext)) {
      this.stats.duplicates++;
      return this.endCall();
    }
    while (ext - this.nextSeq >= this.pendingCap) {
      this.releaseOrLose(this.nextSeq);
      this.nextSeq++;
    }
    if (ext < this.highestSeq) this.stats.reordered++;
    else if (ext === this.highestSeq + 1 && this.lastArrival >= 0) {
      const dt = now - this.lastArrival;
      this.intervalUs = this.intervalUs === 0 ? dt : this.intervalUs + (dt - this.intervalUs) / 16;
    }
    if (ext > this.highestSeq) this.lastArrival = now;
    this.updateJitter(Number(BigInt(Math.floor((now * CLOCK_RATE) / 1_000_000)) & 0xffffffffn), header.timestamp);
    this.place({ ext, packet, arrival: now, recovered: false, payloadOffset: header.payloadOffset, payloadLength: header.payloadLength });
    this.stats.accepted++;
    this.fecDirty = true;
    this.drain(now);
    return this.endCall();
  }

  pushFec(datagram: Uint8Array, now: number): Released[] {
    this.beginCall();
    this.stats.fecReceived++;
    const packet = datagram.slice(0, Math.min(datagram.length, SLOT_BYTES));
    if (datagram.length < RTP_HEADER + FEC_HEADER || datagram.length > MAX_DATAGRAM || packet[0] >> 6 !== 2) {
      this.stats.fecMalformed++;
      return this.endCall();
    }
    const flags = packet[24];
    const isRow = (flags >> 6) & 1;
    const step = packet[25];
    const count = packet[26];
    if (((flags >> 3) & 7) !== 0 || (flags & 7) !== 0) {
      this.stats.fecMalformed++;
      return this.endCall();
    }
    if (this.columns === 0 || step !== (isRow ? 1 : this.columns) || count !== (isRow ? this.columns : this.rows)) {
      this.stats.fecMismatch++;
      return this.endCall();
    }
    if (!this.haveFirst) {
      this.stats.fecStale++;
      return this.endCall();
    }
    const base = this.extMax + sequenceDistance(this.maxSeq, (packet[12] << 8) | packet[13]);
    const last = base + (count - 1) * step;
    // Protects only released packets, or reaches further ahead than the receiver holds at once.
    if (last < this.nextSeq || base > this.highestSeq + this.retain + 2 * this.pendingCap + 2) {
      this.stats.fecStale++;
      return this.endCall();
    }
    for (const entry of this.fec) if (lastProtected(entry) < this.nextSeq) this.fec.delete(entry);
    const entry = { packet, base, step, count };
    this.fec.add(entry);
    this.tryEntry(entry, now);
    this.fecDirty = true;
    this.drain(now);
    return this.endCall();
  }

  tick(now: number): Released[] {
    this.beginCall();
    this.drain(now);
    return this.endCall();
  }

  // --- RFC 3550 A.1 and A.8 ---------------------------------------------------------------

  private updateSequence(seq: number): 'accept' | 'jump' | 'restart' {
    if (!this.started) {
      this.started = true;
      this.maxSeq = seq;
      this.extMax = this.firstExt;
      this.badSeq = 0x10001;
      return 'accept';
    }
    const udelta = (seq - this.maxSeq) & 0xffff;
    if (udelta < MAX_DROPOUT) {
      this.extMax += udelta;
      this.maxSeq = seq;
      return 'accept';
    }
    if (udelta <= 65536 - this.maxMisorder) {
      if (seq === this.badSeq) return 'restart';
      this.badSeq = (seq + 1) & 0xffff;
      return 'jump';
    }
    return 'accept';
  }

  private updateJitter(arrival: number, timestamp: number): void {
    // 32-bit wrap-around arithmetic, as in the RFC's C code.
    const transit = (arrival - timestamp) | 0;
    if (this.haveTransit) {
      const delta = (transit - this.lastTransit) | 0;
      const d = (delta < 0 ? -delta : delta) >>> 0;
      this.jitter = (this.jitter + d - (((this.jitter + 8) >>> 0) >>> 4)) >>> 0;
    }
    this.lastTransit = transit;
    this.haveTransit = true;
  }

  get jitterMs(): number {
    return ((this.jitter >>> 4) * 1000) / CLOCK_RATE;
  }

  // --- buffer -------------------------------------------------------------------------------

  private beginCall(): void {
    this.out = [];
    for (const ext of this.held.keys()) if (ext < this.nextSeq - this.retain) this.held.delete(ext);
  }

  private endCall(): Released[] {
    return this.out;
  }

  private playoutDelay(): number {
    const jitterUs = ((this.jitter >>> 4) * 1_000_000) / CLOCK_RATE;
    let delay = 4 * jitterUs;
    if (this.columns) delay += (2 * this.columns * this.rows + this.columns) * this.intervalUs;
    return Math.min(Math.max(delay, this.minDelayUs), this.maxDelayUs);
  }

  private place(held: Held): void {
    this.held.set(held.ext, held);
    if (held.ext > this.highestSeq) this.highestSeq = held.ext;
  }

  private present(ext: number): Held | undefined {
    return ext > this.highestSeq ? undefined : this.held.get(ext);
  }

  private releaseOrLose(ext: number): void {
    const held = this.present(ext);
    if (!held) {
      this.stats.lost++;
      return;
    }
    this.out.push({
      payload: held.packet.slice(held.payloadOffset, held.payloadOffset + held.payloadLength),
      extendedSeq: held.ext >>> 0,
      recovered: held.recovered,
    });
    this.stats.released++;
  }

  private drain(now: number): void {
    while (this.nextSeq <= this.highestSeq) {
      if (this.present(this.nextSeq)) {
        this.releaseOrLose(this.nextSeq);
        this.nextSeq++;
        continue;
      }
      if (this.columns && this.fecDirty) {
        this.fecDirty = false;
        this.recoverAll(now);
        if (this.present(this.nextSeq)) continue;
      }
      if (this.gapSeq !== this.nextSeq) {
        this.gapSeq = this.nextSeq;
        let firstArrival = 0;
        for (let ext = this.nextSeq + 1; ext <= this.highestSeq; ext++) {
          const held = this.present(ext);
          if (held) {
            firstArrival = held.arrival;
            break;
          }
        }
        this.gapDeadline = firstArrival + this.playoutDelay();
      }
      if (now >= this.gapDeadline || this.highestSeq - this.nextSeq >= this.pendingCap) {
        this.stats.lost++;
        this.nextSeq++;
        continue;
      }
      break;
    }
  }

  private restart(): void {
    this.stats.restarts++;
    while (this.nextSeq <= this.highestSeq) {
      this.releaseOrLose(this.nextSeq);
      this.nextSeq++;
    }
    this.started = false;
    this.badSeq = 0x10001;
    this.firstExt = this.highestSeq + 1;
    this.jitter = 0;
    this.haveTransit = false;
    this.fec.clear();
    this.haveFirst = false;
    this.lastArrival = -1;
    this.fecDirty = false;
  }

  // --- FEC (SMPTE 2022-1 XOR recovery) ------------------------------------------------------

  private protectedBy(entry: FecEntry): number[] {
    return Array.from({ length: entry.count }, (_, i) => entry.base + i * entry.step);
  }

  /** Nothing missing -> forget it; exactly one missing and still wanted -> rebuild it; more -> keep. */
  private tryEntry(entry: FecEntry, now: number): boolean {
    const missing: number[] = [];
    for (const ext of this.protectedBy(entry)) {
      if (this.present(ext)) continue;
      if (ext > this.highestSeq) return false; // not due yet: the packet may still arrive
      if (ext < this.nextSeq) {
        this.fec.delete(entry);
        return false;
      }
      missing.push(ext);
      if (missing.length > 1) return false;
    }
    this.fec.delete(entry);
    return missing.length === 1 ? this.rebuild(entry, missing[0], now) : false;
  }

  private rebuild(entry: FecEntry, ext: number, now: number): boolean {
    const fec = entry.packet;
    const fecPayloadLength = fec.length - RTP_HEADER - FEC_HEADER;
    const others = this.protectedBy(entry)
      .map((e) => this.present(e))
      .filter((h): h is Held => h !== undefined);
    let length = (fec[14] << 8) | fec[15];
    let payloadType = fec[16] & 0x7f;
    let timestamp = ((fec[20] << 24) | (fec[21] << 16) | (fec[22] << 8) | fec[23]) >>> 0;
    let bits0 = fec[0] & 0x3f;
    let marker = fec[1] & 0x80;
    for (const other of others) {
      length ^= other.packet.length - RTP_HEADER;
      bits0 ^= other.packet[0] & 0x3f;
      marker ^= other.packet[1] & 0x80;
      payloadType ^= other.packet[1] & 0x7f;
      timestamp = (timestamp ^ (((other.packet[4] << 24) | (other.packet[5] << 16) | (other.packet[6] << 8) | other.packet[7]) >>> 0)) >>> 0;
    }
    length &= 0xffff;
    if (length > fecPayloadLength || RTP_HEADER + length > MAX_DATAGRAM) {
      this.stats.fecFailed++;
      return false;
    }
    const packet = new Uint8Array(RTP_HEADER + length);
    packet.set(fec.subarray(RTP_HEADER + FEC_HEADER, RTP_HEADER + FEC_HEADER + length), RTP_HEADER);
    for (const other of others) {
      const n = Math.min(other.packet.length - RTP_HEADER, length);
      for (let i = 0; i < n; i++) packet[RTP_HEADER + i] ^= other.packet[RTP_HEADER + i];
    }
    const view = new DataView(packet.buffer);
    packet[0] = 0x80 | bits0;
    packet[1] = marker | payloadType;
    view.setUint16(2, ext & 0xffff);
    view.setUint32(4, timestamp);
    view.setUint32(8, this.ssrc);
    const header = parseRtpHeader(packet);
    if (!header) {
      this.stats.fecFailed++;
      return false;
    }
    this.place({ ext, packet, arrival: now, recovered: true, payloadOffset: header.payloadOffset, payloadLength: header.payloadLength });
    this.stats.recovered++;
    return true;
  }

  private recoverAll(now: number): void {
    let progress = true;
    while (progress) {
      progress = false;
      for (const entry of [...this.fec]) if (this.fec.has(entry) && this.tryEntry(entry, now)) progress = true;
    }
  }
}

function lastProtected(entry: FecEntry): number {
  return entry.base + (entry.count - 1) * entry.step;
}
