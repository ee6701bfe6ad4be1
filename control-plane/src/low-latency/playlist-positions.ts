// Where each LL-HLS media playlist has got to, as the ingest workers report it after every rewrite,
// and the blocking playlist requests waiting for it to get further (RFC 8216bis 6.2.5.2). Waiting is
// event-driven: a request is answered by the report that satisfies it, never by polling the disk.
import { Injectable } from '@nestjs/common';
import type { PlaylistUpdate } from '../media/output/live-output.js';

export type WaitOutcome = 'ready' | 'timeout' | 'gone';

interface Waiter {
  msn: number;
  part: number;
  resolve: (outcome: WaitOutcome) => void;
  timer: NodeJS.Timeout;
}

interface Rendition {
  update: PlaylistUpdate;
  waiters: Set<Waiter>;
}

/** Has the playlist at `at` got as far as segment `msn`, part `part` (-1: the whole segment)? */
export function reached(at: { msn: number; part: number }, msn: number, part: number): boolean {
  // A part past the last of its segment is part 0 of the next (8216bis 6.2.5.2): once segment msn
  // is complete (the playlist has moved on to msn + 1), every part of it counts as reached.
  if (at.msn > msn) return true;
  return at.msn === msn && part >= 0 && at.part >= part;
}

@Injectable()
export class PlaylistPositions {
  private readonly renditions = new Map<string, Rendition>();

  /** The newest position of a stream's variant, or null when it is not packaged as LL-HLS here. */
  position(key: string, variant: string): PlaylistUpdate | null {
    return this.renditions.get(`${key}/${variant}`)?.update ?? null;
  }

  report(key: string, variant: string, update: PlaylistUpdate): void {
    const id = `${key}/${variant}`;
    const rendition = this.renditions.get(id);
    if (!rendition) {
      this.renditions.set(id, { update, waiters: new Set() });
      return;
    }
    rendition.update = update;
    for (const waiter of rendition.waiters) if (reached(update, waiter.msn, waiter.part)) this.settle(rendition, waiter, 'ready');
  }

  /** The stream stopped here: waiting requests are told, and its positions forgotten. */
  forget(key: string): void {
    for (const [id, rendition] of this.renditions) {
      if (!id.startsWith(`${key}/`)) continue;
      for (const waiter of rendition.waiters) this.settle(rendition, waiter, 'gone');
      this.renditions.delete(id);
    }
  }

  /** Resolves when the playlist reaches msn/part, or with 'timeout' after timeoutMs, or 'gone'. */
  waitFor(key: string, variant: string, msn: number, part: number, timeoutMs: number): Promise<WaitOutcome> {
    const rendition = this.renditions.get(`${key}/${variant}`);
    if (!rendition) return Promise.resolve('gone');
    if (reached(rendition.update, msn, part)) return Promise.resolve('ready');
    return new Promise((resolve) => {
      const waiter: Waiter = { msn, part, resolve, timer: setTimeout(() => this.settle(rendition, waiter, 'timeout'), timeoutMs) };
      rendition.waiters.add(waiter);
    });
  }

  /** Requests waiting now, over every stream (a gauge for /metrics). */
  waiting(): number {
    let n = 0;
    for (const r of this.renditions.values()) n += r.waiters.size;
    return n;
  }

  private settle(rendition: Rendition, waiter: Waiter, outcome: WaitOutcome): void {
    clearTimeout(waiter.timer);
    rendition.waiters.delete(waiter);
    waiter.resolve(outcome);
  }
}
