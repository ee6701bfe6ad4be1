// Cuts a TS packet stream into HLS segments at random access points once segmentSeconds have
// passed; durations come from video PTS. Timeline breaks (PTS jumps, encoder restarts, stalls)
// end the current segment and mark the next one as a discontinuity. It sees each packet with what
// the demuxer made of it (the packager drives both) and never the demuxer itself.
import type { PacketInfo } from '../ts/demuxer.js';
import { targetFromFirstSegment } from '../playlist/target-duration.js';
import { PTS_HZ } from '../ts/timestamps.js';
import { ByteBuffer } from './byte-buffer.js';
import type { ContainerWriter, FinishedSegment } from './segment.js';
import { recordStart, sourceCutAt, stampProgramDate, type TimelineRole } from './segment-timeline.js';

export interface SegmenterOptions {
  segmentSeconds: number;
  /**
   * The provisional EXT-X-TARGETDURATION (provisionalTargetDuration): the ceiling until the first
   * keyframe-to-keyframe segment fixes the target (targetFromFirstSegment). No segment may round
   * above the target, so a cut is forced before.
   */
  targetDuration: number;
  onSegment: (segment: FinishedSegment) => void;
  /** Most bytes one segment may gather (default MAX_SEGMENT_BYTES). */
  maxSegmentBytes?: number;
  /** Wall clock in ms (injected for tests). */
  now?: () => number;
  /** ABR: the source records its cut points and date-times; a rung cuts and stamps where the source did. */
  timeline?: TimelineRole;
}

/** A PTS step larger than this (or any step backwards beyond a frame) is a new timeline. */
const MAX_PTS_STEP_SECONDS = 5;
/**
 * Most bytes one segment may gather: 10 s of a 50 Mbit/s feed is 62.5 MB. Past it the segment in
 * progress is dropped (counted, and a discontinuity), whatever the input does: memory per stream
 * is bounded.
 */
export const MAX_SEGMENT_BYTES = 64 * 1024 * 1024;
/**
 * Video that stops while audio goes on (encoder fault, camera unplugged): after this many target
 * durations of audio without a video frame the stream goes on as audio, cut by time.
 */
const VIDEO_GAP_TARGET_DURATIONS = 2;
/** Frame durations kept to estimate the frame rate. */
const FRAME_SAMPLES = 64;

export class Segmenter {
  private readonly buffer = new ByteBuffer();
  private readonly now: () => number;
  /** Where the video PES awaiting its keyframe verdict starts in the buffer, -1 if none. */
  private pendingAt = -1;
  private pendingPts = -1;
  private segmentStartPts = -1;
  private segmentStartWallMs = 0;
  private nextProgramDateMs: number | null = null;
  /** Highest PTS seen in the current timeline (the end of the last frame, less its duration). */
  private lastVideoPts = -1;
  private lastDts = -1;
  /** Where the newest access unit starts in the buffer, and its PTS: a stall flush ends before it. */
  private lastUnitAt = -1;
  private lastUnitPts = -1;
  private discontinuityPending = false;
  private readonly frameDurations: number[] = [];
  /** Video stopped while audio goes on: audio frames are the random access points until video returns. */
  private videoGap = false;
  /** The program has a video track (from the last packet's PacketInfo). */
  private hasVideo = false;
  /** EXT-X-TARGETDURATION cut to: provisional until the first regular segment fixes it. */
  private target: number;
  private targetFixed = false;
  forcedCuts = 0;
  /** Segments dropped because they outgrew MAX_SEGMENT_BYTES. */
  oversizeDrops = 0;
  /** Times the video stopped while audio went on. */
  videoGaps = 0;

  constructor(
    private readonly writer: ContainerWriter,
    private readonly options: SegmenterOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.target = options.targetDuration;
  }

  get started(): boolean {
    return this.segmentStartPts >= 0;
  }

  /**
   * One 188-byte packet (a view; it is copied) and what the demuxer made of it. A changed program
   * is a timeline break: everything buffered is complete (the next access unit is not in yet).
   */
  push(packet: Uint8Array, info: PacketInfo): void {
    if (info.kind === 'invalid') return;
    this.hasVideo = info.hasVideo;
    if (info.programChanged) this.endTimeline();
    if (info.pesStart && info.pts >= 0) this.watchVideoGap(info);
    const audioKeyed = !this.hasVideo || this.videoGap;
    const keyed = audioKeyed ? info.kind === 'audio' : info.kind === 'video';
    if (info.endedUndecided && this.pendingAt >= 0) this.onVerdict(false);
    if (keyed && info.pesStart && info.pts >= 0) this.onAccessUnitStart(info);
    if (info.decided && this.pendingAt >= 0) this.onVerdict(info.decided === 'key');
    // Before the first keyframe candidate nothing is kept: a segment must start with one.
    if (this.started || this.pendingAt >= 0) {
      // PSI packets are renumbered, so they are copied first (the input may be shared memory);
      // everything else is copied once, by the append.
      const psi = info.kind === 'pat' || info.kind === 'pmt';
      this.buffer.append(psi ? this.writer.prepare(new Uint8Array(packet), info.kind as 'pat' | 'pmt') : packet);
      if (this.buffer.length > (this.options.maxSegmentBytes ?? MAX_SEGMENT_BYTES)) this.dropOversize();
    }
    // Audio-only streams (and audio while video is gone): every audio frame is a random access point.
    if (keyed && info.pesStart && audioKeyed && this.pendingAt >= 0) this.onVerdict(true);
  }

  /**
   * Ends the video timeline when audio runs VIDEO_GAP_TARGET_DURATIONS past the last video frame
   * (what came after that frame is dropped: its segment would be longer than the target), and
   * starts a new one when video comes back.
   */
  private watchVideoGap(info: PacketInfo): void {
    if (!this.hasVideo) return;
    if (this.videoGap && info.kind === 'video') {
      this.videoGap = false;
      this.flush();
      return;
    }
    const gapTicks = VIDEO_GAP_TARGET_DURATIONS * this.target * PTS_HZ;
    if (!this.videoGap && info.kind === 'audio' && this.lastVideoPts >= 0 && info.pts - this.lastVideoPts > gapTicks) {
      this.videoGap = true;
      this.videoGaps++;
      // Up to the last video frame's start: the audio after it would outlast the segment's EXTINF.
      this.flush();
    }
  }

  /** A segment past MAX_SEGMENT_BYTES is dropped, not published: nothing a player could use grows that big. */
  private dropOversize(): void {
    this.oversizeDrops++;
    this.reset();
    this.buffer.release();
  }

  /**
   * The feed stopped: publishes the segment in progress without its last access unit, which may
   * be cut short (a video PES has no length; an encoder that stops may not send its tail). The
   * next segment starts a new timeline.
   */
  flush(): void {
    if (this.started && this.lastUnitAt > 0 && this.lastUnitPts > this.segmentStartPts) {
      this.emit(this.lastUnitAt, this.lastUnitPts - this.segmentStartPts, true, false);
    }
    this.reset();
  }

  /** Emits everything buffered (complete up to this packet) and starts over at the next keyframe. */
  private endTimeline(): void {
    if (this.started && this.lastVideoPts >= this.segmentStartPts) {
      const end = this.pendingAt >= 0 ? this.pendingAt : this.buffer.length;
      this.emit(end, this.lastVideoPts - this.segmentStartPts + this.frameTicks(), true, false);
    }
    this.reset();
  }

  private onAccessUnitStart(info: PacketInfo): void {
    // Decode timestamps advance one frame per access unit; presentation ones jump around B-frames.
    const dts = info.dts >= 0 ? info.dts : info.pts;
    if (this.lastDts >= 0) {
      const step = dts - this.lastDts;
      if (step > MAX_PTS_STEP_SECONDS * PTS_HZ || step < -PTS_HZ) {
        // A new timeline (encoder restart, timestamp jump): end what we have, restart here.
        this.endTimeline();
      } else if (step > 0) {
        this.frameDurations.push(step);
        if (this.frameDurations.length > FRAME_SAMPLES) this.frameDurations.shift();
      }
    }
    this.lastDts = dts;
    if (info.pts > this.lastVideoPts) this.lastVideoPts = info.pts;
    if (this.started) {
      this.lastUnitAt = this.buffer.length;
      this.lastUnitPts = info.pts;
    }
    if (this.started && this.overdue(info.pts)) {
      // No keyframe in time: cut anyway so EXT-X-TARGETDURATION holds (the player copes with a
      // segment that does not start on a keyframe; a broken playlist it cannot).
      this.forcedCuts++;
      this.emit(this.buffer.length, info.pts - this.segmentStartPts, false, false);
      this.startSegment(info.pts);
      this.pendingAt = -1;
      return;
    }
    this.pendingAt = this.started ? this.buffer.length : 0;
    this.pendingPts = info.pts;
    if (!this.started) this.buffer.clear();
  }

  private onVerdict(key: boolean): void {
    const at = this.pendingAt;
    this.pendingAt = -1;
    // A rung follows the source's cut points where the source has been (null: decide by duration).
    const sourceCut = key ? sourceCutAt(this.options.timeline, this.pendingPts) : null;
    if (!key || (!this.started && sourceCut === false)) {
      // Before the first segment, a rung waits for a keyframe where the source starts one.
      if (!this.started) this.buffer.clear();
      return;
    }
    if (!this.started) {
      this.begin(at, this.pendingPts);
      return;
    }
    const elapsed = this.pendingPts - this.segmentStartPts;
    if (elapsed > 0 && (sourceCut ?? elapsed >= this.options.segmentSeconds * PTS_HZ - this.frameTicks() / 2)) {
      this.emit(at, elapsed, true, true);
      this.startSegment(this.pendingPts);
    }
  }

  /**
   * The date-time of the segment being emitted: continuous along the timeline; a rung takes the
   * source's for the same start where there is one, the source records its own for the rungs.
   */
  private stampProgramDate(): number {
    return stampProgramDate(this.options.timeline, this.segmentStartPts, this.nextProgramDateMs ?? this.segmentStartWallMs);
  }

  private startSegment(pts: number): void {
    this.segmentStartPts = pts;
    this.segmentStartWallMs = this.now();
    recordStart(this.options.timeline, pts);
  }

  /** First keyframe: drop what came before it and start the first segment there. */
  private begin(at: number, pts: number): void {
    this.buffer.cut(at, this.writer.segmentPrefix());
    this.startSegment(pts);
  }

  private overdue(pts: number): boolean {
    return pts - this.segmentStartPts > (this.target + 0.45) * PTS_HZ;
  }

  /** `regular`: cut at a keyframe after starting on one, the way the encoder's GOP cuts the stream. */
  private emit(at: number, durationTicks: number, startsWithKeyframe: boolean, regular: boolean): void {
    const durationSeconds = durationTicks / PTS_HZ;
    if (!this.targetFixed) {
      // The first segment fixes the target for the playlist's life: its own length if it was cut
      // the regular way, else the provisional ceiling (a stall or a forced cut says nothing of the GOP).
      if (regular) this.target = targetFromFirstSegment(durationSeconds, this.options.targetDuration);
      this.targetFixed = true;
    }
    const prefix = this.writer.segmentPrefix();
    const bytes = this.buffer.cut(at, prefix);
    // Offsets into the buffer move with the cut.
    this.lastUnitAt = this.lastUnitAt >= at ? this.lastUnitAt - at + prefix.length : -1;
    const programDateMs = this.stampProgramDate();
    this.options.onSegment({
      bytes,
      durationSeconds,
      programDateTime: new Date(programDateMs),
      discontinuity: this.discontinuityPending,
      startsWithKeyframe,
      targetDuration: this.target,
      startPts: this.segmentStartPts,
    });
    this.discontinuityPending = false;
    // Keep the date-time mapping continuous while the timeline is; re-anchor after a break.
    this.nextProgramDateMs = programDateMs + durationSeconds * 1000;
  }

  private reset(): void {
    this.buffer.clear();
    this.pendingAt = -1;
    this.segmentStartPts = -1;
    this.lastVideoPts = -1;
    this.lastDts = -1;
    this.lastUnitAt = -1;
    this.lastUnitPts = -1;
    this.nextProgramDateMs = null;
    this.discontinuityPending = true;
  }

  private frameTicks(): number {
    if (this.frameDurations.length === 0) return 0;
    const sorted = [...this.frameDurations].sort((a, b) => a - b);
    return sorted[sorted.length >> 1];
  }

  /** Frames per second measured from decode timestamps; null for audio-only streams. */
  frameRate(): number | null {
    // Audio frame durations are not a frame rate: an audio-only stream has none.
    if (!this.hasVideo) return null;
    const ticks = this.frameTicks();
    return ticks > 0 ? Math.round((PTS_HZ / ticks) * 1000) / 1000 : null;
  }
}
