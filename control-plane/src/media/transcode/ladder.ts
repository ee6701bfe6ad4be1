// A stream's ABR rungs: the transcoder (one ffmpeg) and, per rung, a packager that packages the
// rung's MPEG-TS exactly like the source's (TS segments, or CMAF with LL-HLS parts), in the rung's
// own variant directory, listed in the stream's multivariant playlist beside the source.
import { SOURCE_VARIANT } from '../hls-layout.js';
import type { MasterWriter } from '../output/master-writer.js';
import type { PlaylistUpdate, WrittenSegment } from '../output/live-output.js';
import { QualityMonitor, QualityMonitorOptions, REFERENCE_QUALITY, RungQuality } from '../quality/quality-monitor.js';
import type { RenditionReports } from '../output/rendition-reports.js';
import type { SegmentTimeline } from '../segmenter/segment-timeline.js';
import { PackagerOptions, PackagerStats, StreamPackager } from '../stream-packager.js';
import { TsRealigner } from '../ts/ts-realigner.js';
import type { TranscodeRung } from './ladder-args.js';
import { Transcoder, TranscoderStatus } from './transcoder.js';

/** A rung as the ladder makes it: what ffmpeg encodes, and the quality it must keep. */
export interface LadderRung extends TranscodeRung {
  /** SSIM under which the rung is flagged (absent: none). */
  minSsim?: number;
}

export interface LadderOptions {
  rungs: LadderRung[];
  /** The source packager's settings (media root, key, segment and part durations, window). */
  packaging: Omit<PackagerOptions, 'variant' | 'master' | 'reports' | 'onPlaylist' | 'onError' | 'timeline' | 'onSegment'>;
  master: MasterWriter;
  /** The source's segment starts and date-times, which every rung follows. */
  timeline: SegmentTimeline;
  reports?: RenditionReports;
  onPlaylist?: (variant: string, update: PlaylistUpdate) => void;
  onError?: (error: Error) => void;
  /** Told when ffmpeg died and was started again. */
  onRestart?: (status: TranscoderStatus) => void;
  /** How often each rung's quality is scored, the source's size, who hears of a rung under its floor. */
  quality: Pick<QualityMonitorOptions, 'intervalMs' | 'sourceSize' | 'onBelowFloor'>;
  binary?: string;
}

export interface RungStatus {
  name: string;
  /** The source variant, passed through without re-encoding (the first rung). */
  passthrough: boolean;
  segmentsWritten: number;
  writeFailures: number;
  lastSegmentAt: string | null;
  quality: RungQuality;
  /**
   * Larger than the source in a dimension: an upscale, more bits for no more picture. The API cannot
   * refuse it (the source's size is known only once a feed arrives), so it is reported here.
   */
  aboveSource: boolean;
}

export interface LadderStatus {
  transcoder: TranscoderStatus;
  rungs: RungStatus[];
}

export class Ladder {
  private readonly packagers: StreamPackager[];
  private readonly realigners: TsRealigner[];
  private readonly transcoder: Transcoder;
  private readonly quality: QualityMonitor;

  constructor(private readonly options: LadderOptions) {
    this.quality = new QualityMonitor(SOURCE_VARIANT, { ...options.quality, rungs: options.rungs });
    this.packagers = options.rungs.map(
      (rung) =>
        new StreamPackager({
          ...options.packaging,
          variant: rung.name,
          master: options.master,
          reports: options.reports,
          onPlaylist: options.onPlaylist ? (update) => options.onPlaylist!(rung.name, update) : undefined,
          onSegment: (segment) => this.quality.segmentWritten(rung.name, segment),
          timeline: { shared: options.timeline, lead: false },
          onError: options.onError,
        }),
    );
    this.realigners = options.rungs.map(() => new TsRealigner());
    this.transcoder = new Transcoder({
      rungs: options.rungs,
      binary: options.binary,
      onRungData: (i, bytes) => this.realigners[i].push(bytes, (packets) => this.packagers[i].push(packets)),
      onRestart: () => {
        // The new ffmpeg starts a new timeline: what each rung had in progress is published first.
        for (const r of this.realigners) r.reset();
        for (const p of this.packagers) p.flush();
        this.options.onRestart?.(this.transcoder.status);
      },
    });
  }

  async open(): Promise<void> {
    for (const p of this.packagers) await p.open();
    this.transcoder.start();
    this.quality.start();
  }

  /** The source packager wrote a segment: the reference the rungs' segments are scored against. */
  sourceSegmentWritten(segment: WrittenSegment): void {
    this.quality.segmentWritten(SOURCE_VARIANT, segment);
  }

  /** The repaired source TS, as the source packager gets it. */
  write(ts: Uint8Array): void {
    this.transcoder.write(ts);
  }

  /** The feed stopped: each rung publishes what it has. */
  flush(): void {
    for (const p of this.packagers) p.flush();
  }

  async stop(removeFiles: boolean): Promise<void> {
    await this.quality.stop();
    await this.transcoder.stop();
    for (const p of this.packagers) {
      if (removeFiles) await p.output.removeAll();
      else {
        p.flush();
        await p.output.drain().catch(() => undefined);
      }
    }
  }

  /** The transcoder's pid (tests kill it). */
  get transcoderPid(): number | null {
    return this.transcoder.pid;
  }

  /** The ladder from the top: the source (its packager's figures given), then each transcoded rung. */
  status(source: PackagerStats): LadderStatus {
    const { width, height } = source.format;
    const rung = (name: string, s: PackagerStats, passthrough: boolean, quality: RungQuality, size?: LadderRung): RungStatus => ({
      name,
      passthrough,
      segmentsWritten: s.segmentsWritten,
      writeFailures: s.writeFailures,
      lastSegmentAt: s.lastSegmentAt?.toISOString() ?? null,
      quality,
      aboveSource: size !== undefined && width !== null && height !== null && (size.width > width || size.height > height),
    });
    return {
      transcoder: { ...this.transcoder.status },
      rungs: [
        rung(SOURCE_VARIANT, source, true, { ...REFERENCE_QUALITY }),
        ...this.options.rungs.map((r, i) => rung(r.name, this.packagers[i].stats(), false, this.quality.status(r.name), r)),
      ],
    };
  }
}
