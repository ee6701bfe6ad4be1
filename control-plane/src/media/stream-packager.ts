// The packaging half of a stream: TS packets in, segments and playlists on disk out.
// Free of NestJS and of the network, so it runs in an ingest worker and in tests alike.
import path from 'node:path';
import { LIVE_DIR, SOURCE_VARIANT } from './hls-layout.js';
import { CmafStage } from './cmaf-stage.js';
import type { ProgramContext } from './segmenter/cmaf-segmenter.js';
import { LiveOutput, type LiveOutputOptions, OutputStats } from './output/live-output.js';
import { provisionalTargetDuration } from './playlist/target-duration.js';
import type { StreamFormat } from './segmenter/segment.js';
import { Segmenter } from './segmenter/segmenter.js';
import type { TimelineRole } from './segmenter/segment-timeline.js';
import { TsContainerWriter } from './segmenter/ts-container-writer.js';
import { DemuxCounters, TsDemuxer } from './ts/demuxer.js';
import { SYNC_BYTE, TS_PACKET_SIZE } from './ts/ts-packet.js';

export interface PackagerOptions {
  mediaRoot: string;
  key: string;
  /** The variant this packager writes (a directory of the stream): the source unless an ABR rung. */
  variant?: string;
  /** The stream's multivariant playlist, shared by the packagers of all its variants. */
  master?: LiveOutputOptions['master'];
  /** LL-HLS: the variants' positions, shared by their packagers, for rendition reports. */
  reports?: LiveOutputOptions['reports'];
  segmentSeconds: number;
  windowSegments: number;
  /** Seconds of history kept in the media playlist and on disk (a DVR window); 0 or absent: none. */
  dvrSeconds?: number;
  /** LL-HLS: fMP4 (CMAF) segments made of parts of about partSeconds; absent: MPEG-TS segments. */
  lowLatency?: { partSeconds: number };
  /** Told each time the media playlist is rewritten (LL-HLS blocking reload waits on it). */
  onPlaylist?: LiveOutputOptions['onPlaylist'];
  /** ABR: the source leads the stream's segment timeline (cut points, date-times), its rungs follow. */
  timeline?: TimelineRole;
  /** Told of each segment written (the ABR quality probe). */
  onSegment?: LiveOutputOptions['onSegment'];
  now?: () => number;
  /** Memory caps, lowered by tests: bytes per segment in progress, bytes waiting to be written. */
  maxSegmentBytes?: number;
  maxQueuedBytes?: number;
  onError?: (error: Error) => void;
}

export interface PackagerStats extends OutputStats {
  demux: DemuxCounters;
  /** Bytes handed in that were not whole, sync-aligned TS packets. */
  misalignedBytes: number;
  forcedCuts: number;
  /** Segments dropped for outgrowing MAX_SEGMENT_BYTES. */
  oversizeDrops: number;
  /** Times the video stopped while audio went on. */
  videoGaps: number;
  format: StreamFormat;
}

export class StreamPackager {
  private readonly demuxer = new TsDemuxer();
  private readonly segmenter: Segmenter;
  /** Low-latency streams: the CMAF path instead of the TS segmenter. */
  private readonly cmaf: CmafStage | null = null;
  readonly output: LiveOutput;
  private misalignedBytes = 0;
  private readonly programContext: ProgramContext = { videoCodec: null, videoFormat: null, audioFormat: null, audioDeclared: false };

  constructor(private readonly options: PackagerOptions) {
    const writer = new TsContainerWriter(() => ({ pat: this.demuxer.lastPat, pmt: this.demuxer.lastPmt }));
    const targetDuration = provisionalTargetDuration(options.segmentSeconds);
    this.output = new LiveOutput({
      streamDir: path.join(options.mediaRoot, LIVE_DIR, options.key),
      variant: options.variant ?? SOURCE_VARIANT,
      master: options.master,
      reports: options.reports,
      windowSegments: options.windowSegments,
      dvrSeconds: options.dvrSeconds ?? 0,
      targetDuration,
      extension: options.lowLatency ? CMAF_EXTENSION : writer.extension,
      now: options.now,
      maxQueuedBytes: options.maxQueuedBytes,
      onPlaylist: options.onPlaylist,
      onSegment: options.onSegment,
      timeline: options.timeline,
    });
    if (options.lowLatency) {
      this.cmaf = new CmafStage({
        segmentSeconds: options.segmentSeconds,
        partSeconds: options.lowLatency.partSeconds,
        targetDuration,
        output: this.output,
        program: () => this.program(),
        format: () => this.format(),
        now: options.now ?? Date.now,
        maxSegmentBytes: options.maxSegmentBytes,
        onError: (error) => options.onError?.(error),
        timeline: options.timeline,
      });
    }
    this.segmenter = new Segmenter(writer, {
      segmentSeconds: options.segmentSeconds,
      targetDuration,
      now: options.now,
      maxSegmentBytes: options.maxSegmentBytes,
      timeline: options.timeline,
      onSegment: (segment) => {
        this.output.add(segment, this.format()).catch((error: Error) => options.onError?.(error));
      },
    });
  }

  open(): Promise<void> {
    return this.output.open();
  }

  /**
   * A chunk of TS (one datagram's payload): whole 188-byte packets starting with 0x47, as RTP and
   * UDP senders packetise it. Where a packet does not start with 0x47, the next start is searched
   * for with look-ahead (nextSyncPoint), not taken from the first 0x47 found.
   */
  push(chunk: Uint8Array): void {
    let at = 0;
    while (at + TS_PACKET_SIZE <= chunk.length) {
      if (chunk[at] !== SYNC_BYTE) {
        const next = nextSyncPoint(chunk, at + 1);
        this.misalignedBytes += (next < 0 ? chunk.length : next) - at;
        if (next < 0) return;
        at = next;
        continue;
      }
      this.pushPacket(chunk.subarray(at, at + TS_PACKET_SIZE));
      at += TS_PACKET_SIZE;
    }
    this.misalignedBytes += chunk.length - at;
  }

  /** The stages, in order: demuxer, then the segmenter with the demuxer's verdict, then (through onSegment) the writer and output. */
  private pushPacket(packet: Uint8Array): void {
    const info = this.demuxer.push(packet);
    // A new program: the segmenter ends its timeline, the demuxer forgets clocks and partial PES.
    if (info.programChanged) this.demuxer.resetTiming();
    if (this.cmaf) {
      if (info.programChanged) this.cmaf.breakTimeline();
      this.cmaf.push(packet, info);
    } else this.segmenter.push(packet, info);
  }

  /** What the demuxer knows of the program, for the CMAF path; one object, refreshed per access unit. */
  private program(): ProgramContext {
    const p = this.programContext;
    p.videoCodec = this.demuxer.videoCodec;
    p.videoFormat = this.demuxer.videoFormat;
    p.audioFormat = this.demuxer.audioFormat;
    p.audioDeclared = this.demuxer.audioPid >= 0;
    return p;
  }

  /** What the stream carries, for the multivariant playlist and status. */
  private format(): StreamFormat {
    const video = this.demuxer.videoFormat;
    return {
      videoCodecs: video?.codecs ?? null,
      audioCodecs: this.demuxer.audioFormat?.codecs ?? null,
      width: video?.width ?? null,
      height: video?.height ?? null,
      frameRate: this.cmaf ? this.cmaf.frameRate() : this.segmenter.frameRate(),
    };
  }

  /** The feed stopped: publish what we have. */
  flush(): void {
    if (this.cmaf) this.cmaf.flush();
    else this.segmenter.flush();
  }

  stats(): PackagerStats {
    return {
      ...this.output.stats,
      demux: { ...this.demuxer.counters },
      misalignedBytes: this.misalignedBytes,
      forcedCuts: this.cmaf ? this.cmaf.forcedCuts : this.segmenter.forcedCuts,
      oversizeDrops: this.cmaf ? this.cmaf.oversizeDrops : this.segmenter.oversizeDrops,
      videoGaps: this.cmaf ? this.cmaf.videoGaps : this.segmenter.videoGaps,
      format: this.format(),
    };
  }
}

/** fMP4 segment and part files (CMAF media segments, ISO/IEC 23000-19). */
const CMAF_EXTENSION = 'm4s';

/**
 * Where whole packets start again at or after `from`, or -1. A 0x47 may be a payload byte, so a
 * candidate counts only when the packets after it (188 and 376 bytes on, as far as the datagram
 * goes) start with 0x47 too, or, with no room for one, when its packet ends the datagram exactly
 * (ISO/IEC 13818-1 2.4.3.2: sync_byte is 0x47, yet nothing stops payload bytes from being 0x47).
 */
export function nextSyncPoint(chunk: Uint8Array, from: number): number {
  for (let at = chunk.indexOf(SYNC_BYTE, from); at >= 0 && at + TS_PACKET_SIZE <= chunk.length; at = chunk.indexOf(SYNC_BYTE, at + 1)) {
    const ahead = [at + TS_PACKET_SIZE, at + 2 * TS_PACKET_SIZE].filter((p) => p < chunk.length);
    if (ahead.length === 0 ? at + TS_PACKET_SIZE === chunk.length : ahead.every((p) => chunk[p] === SYNC_BYTE)) return at;
  }
  return -1;
}
