// Each ABR rung's picture quality, measured rather than assumed: every interval (about a minute) one
// rung's newest segment, the rungs taking turns, is scored against the source's segment that starts
// with the same frame (same PTS: the transcoder keeps the source's timestamps and keyframes), and a
// rung under its configured SSIM floor is flagged. One segment per interval for the whole ladder:
// scoring a 2 s 1080p segment costs about a second of CPU (ffmpeg at low priority, one thread,
// segment-quality.ts), which per rung per minute would be several percent of the ladder's own cost.
// Nothing here runs per frame.
import type { WrittenSegment } from '../output/live-output.js';
import { samePts } from '../ts/timestamps.js';
import { QualityScore, ScoreRequest, scoreSegment } from './segment-quality.js';

export interface QualityRung {
  name: string;
  /** Flag the rung when its SSIM falls under this; absent: no floor. */
  minSsim?: number;
}

export interface QualityMonitorOptions {
  rungs: QualityRung[];
  intervalMs: number;
  /** The source's picture size (null until its format is known). */
  sourceSize: () => { width: number; height: number } | null;
  /** Told when a rung's score falls under its floor (it was at or above it, or unmeasured). */
  onBelowFloor?: (rung: string, quality: RungQuality) => void;
  score?: (request: ScoreRequest) => Promise<QualityScore>;
  now?: () => number;
}

/** A rung's last measurement, and how measuring has gone. */
export interface RungQuality {
  ssim: number | null;
  psnr: number | null;
  /** The rung's segment that was scored (its media sequence number), and when. */
  mediaSequence: number | null;
  measuredAt: string | null;
  minSsim: number | null;
  /** The last score is under minSsim. */
  belowFloor: boolean;
  /** The source's own quality is the reference: SSIM 1 by definition, not measured. */
  reference: boolean;
  probes: number;
  failures: number;
  lastError: string | null;
}

/** Segments remembered per variant: enough to find the source's twin of a rung's newest segment. */
const RECENT_SEGMENTS = 12;

/** The source variant's quality: the reference every rung is scored against. */
export const REFERENCE_QUALITY: Readonly<RungQuality> = {
  ssim: 1,
  psnr: null,
  mediaSequence: null,
  measuredAt: null,
  minSsim: null,
  belowFloor: false,
  reference: true,
  probes: 0,
  failures: 0,
  lastError: null,
};

export class QualityMonitor {
  private readonly recent = new Map<string, WrittenSegment[]>();
  private readonly quality = new Map<string, RungQuality>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;
  /** The rung whose turn it is. */
  private turn = 0;

  constructor(
    private readonly sourceVariant: string,
    private readonly options: QualityMonitorOptions,
  ) {
    for (const rung of options.rungs) {
      this.quality.set(rung.name, { ...REFERENCE_QUALITY, ssim: null, reference: false, minSsim: rung.minSsim ?? null });
    }
  }

  /** A variant's segment is on disk (the source's or a rung's). */
  segmentWritten(variant: string, segment: WrittenSegment): void {
    const list = this.recent.get(variant) ?? [];
    list.push(segment);
    if (list.length > RECENT_SEGMENTS) list.shift();
    this.recent.set(variant, list);
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => {
      this.running ??= this.probeNext().finally(() => (this.running = null));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  status(rung: string): RungQuality {
    return { ...(this.quality.get(rung) ?? REFERENCE_QUALITY) };
  }

  /** Scores the next rung, in turn, that has a segment to compare; false when none has. */
  async probeNext(): Promise<boolean> {
    const size = this.options.sourceSize();
    const rungs = this.options.rungs;
    if (!size || this.stopped) return false;
    for (let tried = 0; tried < rungs.length; tried++) {
      const rung = rungs[this.turn];
      this.turn = (this.turn + 1) % rungs.length;
      const pair = this.newestPair(rung.name);
      if (!pair) continue; // nothing to compare yet: not a failure
      await this.probe(rung, pair, size);
      return true;
    }
    return false;
  }

  private async probe(rung: QualityRung, pair: { rung: WrittenSegment; source: WrittenSegment }, size: { width: number; height: number }): Promise<void> {
    const q = this.quality.get(rung.name)!;
    q.probes++;
    try {
      const score = await (this.options.score ?? scoreSegment)({ rung: pair.rung, source: pair.source, ...size });
      const wasBelow = q.belowFloor;
      q.ssim = round(score.ssim, 4);
      q.psnr = score.psnr === null ? null : round(score.psnr, 2);
      q.mediaSequence = pair.rung.mediaSequence;
      q.measuredAt = new Date((this.options.now ?? Date.now)()).toISOString();
      q.belowFloor = q.minSsim !== null && score.ssim < q.minSsim;
      q.lastError = null;
      if (q.belowFloor && !wasBelow) this.options.onBelowFloor?.(rung.name, { ...q });
    } catch (error) {
      q.failures++;
      q.lastError = (error as Error).message;
    }
  }

  /** The rung's newest segment that has a source segment starting with the same frame. */
  private newestPair(rung: string): { rung: WrittenSegment; source: WrittenSegment } | null {
    const sources = this.recent.get(this.sourceVariant) ?? [];
    const rungs = this.recent.get(rung) ?? [];
    for (let i = rungs.length - 1; i >= 0; i--) {
      const r = rungs[i];
      if (r.startPts < 0) continue;
      const source = sources.find((s) => s.startPts >= 0 && samePts(s.startPts, r.startPts));
      if (source) return { rung: r, source };
    }
    return null;
  }
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
