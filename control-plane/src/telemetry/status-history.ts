// The last minutes of each stream's ingest figures, one sample per status tick (about a second),
// in a bounded ring per stream: what the console's charts start from before live events arrive,
// and what any other tool can read (GET /api/v1/streams/:ref/history). In memory on purpose: ten
// minutes of charts need not survive a restart, and the hot status path never waits on a database.
import type { IngestStatus } from '../ingest/ingest-protocol.js';
import type { StatusSample, ViewerFigures } from './status-sample.js';

export type { StatusSample, ViewerFigures };

/** Ten minutes at one sample a second. */
export const HISTORY_SAMPLES = 600;

export function sampleOf(status: IngestStatus, t: number, viewers: ViewerFigures | null = null): StatusSample {
  const rungs = status.ladder?.rungs.filter((r) => !r.quality.reference) ?? null;
  return {
    t,
    state: status.state,
    inputBitrate: status.inputBitrate,
    packetsReceived: status.packetsReceived,
    lost: status.lost,
    recoveredByFec: status.recoveredByFec,
    unrecoverable: status.unrecoverable,
    jitterMs: status.jitterMs,
    playoutDelayMs: status.playoutDelayMs,
    segmentsWritten: status.segmentsWritten,
    viewers: viewers?.viewers ?? null,
    viewerBufferMs: viewers?.bufferLengthMs ?? null,
    viewerThroughputKbps: viewers?.measuredThroughputKbps ?? null,
    rungSsim: rungs ? Object.fromEntries(rungs.map((r) => [r.name, r.quality.ssim])) : null,
  };
}

/** A fixed-size ring of samples: the oldest is overwritten once it is full. */
class SampleRing {
  private readonly slots: (StatusSample | undefined)[];
  private next = 0;
  private size = 0;

  constructor(capacity: number) {
    this.slots = new Array<StatusSample | undefined>(capacity);
  }

  add(sample: StatusSample): void {
    this.slots[this.next] = sample;
    this.next = (this.next + 1) % this.slots.length;
    this.size = Math.min(this.size + 1, this.slots.length);
  }

  /** Oldest first, those at or after `since` (ms since the epoch). */
  list(since: number): StatusSample[] {
    const out: StatusSample[] = [];
    const start = (this.next - this.size + this.slots.length) % this.slots.length;
    for (let i = 0; i < this.size; i++) {
      const s = this.slots[(start + i) % this.slots.length]!;
      if (s.t >= since) out.push(s);
    }
    return out;
  }
}

export class StatusHistory {
  private readonly rings = new Map<string, SampleRing>();

  constructor(private readonly capacity = HISTORY_SAMPLES) {}

  record(id: string, sample: StatusSample): void {
    let ring = this.rings.get(id);
    if (!ring) this.rings.set(id, (ring = new SampleRing(this.capacity)));
    ring.add(sample);
  }

  /** The stream's samples, oldest first; empty when none were recorded. */
  samples(id: string, since = 0): StatusSample[] {
    return this.rings.get(id)?.list(since) ?? [];
  }

  /** A deleted stream's history goes with it. */
  forget(id: string): void {
    this.rings.delete(id);
  }
}
