// The retransmission-request schedule (RIST Simple Profile, VSF TR-06-1: RTCP generic NACKs of
// RFC 4585) written plainly, to check the WebAssembly build against. Sequence numbers are
// extended (they never wrap); times are microseconds.
//
// The rules, in order of a missing packet's life:
// - A packet is missing from the moment one after it arrives (`noticedAt`). Its deadline is
//   noticedAt + buffer: the playout buffer releases past it then, so nothing later is of use.
// - It is first asked for `reorder` after it was noticed (a packet merely overtaken arrives by
//   then without costing the sender a retransmission), then again every max(rtt x 1.5, minInterval):
//   an answer cannot come back sooner than a round trip.
// - A request is only sent while an answer could still arrive in time (now + rtt <= deadline),
//   and at most `maxAttempts` times. A packet still missing at its deadline is lost.
// - Requests due at one moment are packed as RFC 4585 generic NACK FCI words, (PID << 16) | BLP:
//   PID the first sequence number, bit i of BLP the packet PID + 1 + i, in ascending order.

export interface NackConfig {
  /** Packets tracked at once (a power of two): the buffer's worth of packets, with room. */
  window: number;
  reorderUs: number;
  minIntervalUs: number;
  maxAttempts: number;
  bufferUs: number;
}

/** How the arrival of a packet counted. */
export const ARRIVAL_NEW = 0;
export const ARRIVAL_RECOVERED = 1;
export const ARRIVAL_FILLED = 2;
export const ARRIVAL_LATE = 3;
export const ARRIVAL_OLD = 4;

/** The counters, in the order of wasm-core/assembly/nack.ts's NACK_STAT_ constants. */
export interface NackStats {
  missing: number;
  requests: number;
  fciWords: number;
  recovered: number;
  filled: number;
  late: number;
  lost: number;
}

export const RETRY_RTT_FACTOR = 1.5;

interface Missing {
  deadline: number;
  nextAt: number;
  attempts: number;
}

export class ReferenceNack {
  readonly stats: NackStats = { missing: 0, requests: 0, fciWords: 0, recovered: 0, filled: 0, late: 0, lost: 0 };
  private readonly missing = new Map<number, Missing>();
  /** Missing packets given up at their deadline (an arrival then is late, not old). */
  private readonly givenUp = new Set<number>();
  private highest = -1;
  private rttUs = 0;

  constructor(private readonly config: NackConfig) {}

  setRtt(rttUs: number): void {
    this.rttUs = rttUs > 0 ? rttUs : 0;
  }

  arrived(seq: number, nowUs: number): number {
    this.expire(nowUs);
    if (this.highest < 0 || seq > this.highest) {
      const first = this.highest < 0 ? seq : this.highest + 1;
      // A gap wider than the window: the oldest part of it cannot be tracked and is lost at once.
      const tracked = Math.max(first, seq - this.config.window + 1);
      this.stats.missing += seq - first;
      this.stats.lost += tracked - first;
      for (let s = tracked; s < seq; s++) {
        this.missing.set(s, { deadline: nowUs + this.config.bufferUs, nextAt: nowUs + this.config.reorderUs, attempts: 0 });
      }
      this.highest = seq;
      this.forgetBehind(seq - this.config.window);
      return ARRIVAL_NEW;
    }
    const entry = this.missing.get(seq);
    if (entry) {
      this.missing.delete(seq);
      if (entry.attempts > 0) this.stats.recovered++;
      else this.stats.filled++;
      return entry.attempts > 0 ? ARRIVAL_RECOVERED : ARRIVAL_FILLED;
    }
    if (this.givenUp.delete(seq)) {
      this.stats.late++;
      return ARRIVAL_LATE;
    }
    return ARRIVAL_OLD;
  }

  /** The FCI words of the requests due now (each request counts as an attempt). */
  due(nowUs: number): number[] {
    this.expire(nowUs);
    const seqs: number[] = [];
    const interval = Math.max(this.rttUs * RETRY_RTT_FACTOR, this.config.minIntervalUs);
    for (const seq of [...this.missing.keys()].sort((a, b) => a - b)) {
      const entry = this.missing.get(seq)!;
      if (entry.nextAt > nowUs || entry.attempts >= this.config.maxAttempts || nowUs + this.rttUs > entry.deadline) continue;
      entry.attempts++;
      entry.nextAt = nowUs + interval;
      seqs.push(seq);
    }
    this.stats.requests += seqs.length;
    const words: number[] = [];
    for (let i = 0; i < seqs.length;) {
      const pid = seqs[i];
      let blp = 0;
      let j = i + 1;
      while (j < seqs.length && seqs[j] - pid <= 16) {
        blp |= 1 << (seqs[j] - pid - 1);
        j++;
      }
      words.push((((pid & 0xffff) << 16) | blp) >>> 0);
      i = j;
    }
    this.stats.fciWords += words.length;
    return words;
  }

  /** Missing packets past their deadline are lost. */
  private expire(nowUs: number): void {
    for (const [seq, entry] of this.missing) {
      if (entry.deadline > nowUs) continue;
      this.missing.delete(seq);
      this.givenUp.add(seq);
      this.stats.lost++;
    }
  }

  /** What falls out of the window is forgotten: a missing packet there is lost, a given-up one is old. */
  private forgetBehind(limit: number): void {
    for (const seq of [...this.missing.keys()]) {
      if (seq > limit) continue;
      this.missing.delete(seq);
      this.stats.lost++;
    }
    for (const seq of [...this.givenUp]) if (seq <= limit) this.givenUp.delete(seq);
  }
}
