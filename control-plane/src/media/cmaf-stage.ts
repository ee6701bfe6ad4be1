// The CMAF side of the packager, used when a stream is low-latency: access units from the demuxed
// packets, cut into segments and LL-HLS parts (CmafSegmenter), handed to the output as they are
// finished: the init segment, each part the moment it is complete, and each segment whole (its
// parts' bytes, concatenated) when it ends. The TS side (Segmenter) is the other implementation.
import { AccessUnitAssembler, type AssemblerCounters } from './access-units/access-unit-assembler.js';
import type { LiveOutput } from './output/live-output.js';
import { targetFromFirstSegment } from './playlist/target-duration.js';
import { ByteBuffer } from './segmenter/byte-buffer.js';
import { CmafSegmenter, type ProgramContext } from './segmenter/cmaf-segmenter.js';
import type { StreamFormat } from './segmenter/segment.js';
import { MAX_SEGMENT_BYTES } from './segmenter/segmenter.js';
import { stampProgramDate, type TimelineRole } from './segmenter/segment-timeline.js';
import type { PacketInfo } from './ts/demuxer.js';

export interface CmafStageOptions {
  segmentSeconds: number;
  partSeconds: number;
  /** The provisional EXT-X-TARGETDURATION (see provisionalTargetDuration). */
  targetDuration: number;
  output: LiveOutput;
  program: () => ProgramContext;
  format: () => StreamFormat;
  now: () => number;
  maxSegmentBytes?: number;
  onError: (error: Error) => void;
  /** ABR: the source's cut points and date-times, which rungs follow (see SegmentTimeline). */
  timeline?: TimelineRole;
}

export class CmafStage {
  private readonly assembler: AccessUnitAssembler;
  private readonly segmenter: CmafSegmenter;
  private readonly segmentBytes = new ByteBuffer();
  private segmentStartMs = 0;
  /** Keeps EXT-X-PROGRAM-DATE-TIME continuous along a timeline; null after a break re-anchors it. */
  private nextProgramDateMs: number | null = null;
  private target: number | null = null;
  /** The segment in progress outgrew maxSegmentBytes: its parts are listed, the whole file is not written. */
  private oversize = false;
  oversizeDrops = 0;

  constructor(private readonly options: CmafStageOptions) {
    this.segmenter = new CmafSegmenter({
      segmentSeconds: options.segmentSeconds,
      partSeconds: options.partSeconds,
      targetDuration: options.targetDuration,
      timeline: options.timeline,
      onInit: (init) => this.settle(options.output.addInit(init)),
      onPart: (part) => {
        if (part.index === 0) {
          this.segmentBytes.clear();
          this.oversize = false;
          // Continuous along a timeline; after a break, re-anchored: the part is complete now, so its
          // first sample arrived a part's duration ago.
          const continued = part.discontinuity ? null : this.nextProgramDateMs;
          this.segmentStartMs = stampProgramDate(options.timeline, part.segmentStartPts, continued ?? options.now() - part.durationSeconds * 1000);
        }
        if (this.segmentBytes.length + part.bytes.length > (options.maxSegmentBytes ?? MAX_SEGMENT_BYTES)) this.oversize = true;
        else this.segmentBytes.append(part.bytes);
        const segmentStart =
          part.index === 0 ? { programDateTime: new Date(this.segmentStartMs), discontinuity: part.discontinuity, startPts: part.segmentStartPts } : undefined;
        this.settle(
          options.output.addPart({
            bytes: part.bytes,
            durationSeconds: part.durationSeconds,
            independent: part.independent,
            partTargetSeconds: this.segmenter.partTargetSeconds ?? options.partSeconds,
            segmentStart,
          }),
        );
      },
      onSegmentEnd: (segment) => {
        // The first segment fixes the target, as for TS (a forced cut says nothing of the GOP).
        this.target ??= segment.startsWithKeyframe ? targetFromFirstSegment(segment.durationSeconds, options.targetDuration) : options.targetDuration;
        this.nextProgramDateMs = this.segmentStartMs + segment.durationSeconds * 1000;
        if (this.oversize) {
          this.oversizeDrops++;
          this.settle(options.output.abandonSegment());
          return;
        }
        const bytes = this.segmentBytes.cut(this.segmentBytes.length, EMPTY);
        this.settle(
          options.output.add(
            {
              bytes,
              durationSeconds: segment.durationSeconds,
              programDateTime: new Date(this.segmentStartMs),
              discontinuity: false,
              startsWithKeyframe: segment.startsWithKeyframe,
              targetDuration: this.target,
              startPts: segment.startPts,
            },
            options.format(),
          ),
        );
      },
    });
    this.assembler = new AccessUnitAssembler((unit) => this.segmenter.push(unit, options.program()));
  }

  push(packet: Uint8Array, info: PacketInfo): void {
    this.assembler.push(packet, info);
  }

  /** A new program: what is open ends; the next segment starts a new timeline with a new init segment. */
  breakTimeline(): void {
    this.assembler.flush();
    this.segmenter.flush();
    this.assembler.reset();
    this.nextProgramDateMs = null;
  }

  /** The feed stopped: publish what is complete. */
  flush(): void {
    this.breakTimeline();
  }

  frameRate(): number | null {
    return this.segmenter.frameRate();
  }

  get videoGaps(): number {
    return this.segmenter.videoGaps;
  }

  get forcedCuts(): number {
    return this.segmenter.forcedCuts;
  }

  get counters(): AssemblerCounters {
    return this.assembler.counters;
  }

  private settle(write: Promise<void>): void {
    write.catch((error: Error) => this.options.onError(error));
  }
}

const EMPTY = new Uint8Array(0);
