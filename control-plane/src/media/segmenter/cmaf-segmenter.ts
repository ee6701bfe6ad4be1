// Cuts access units into CMAF segments made of LL-HLS parts (RFC 8216bis 4.4.4.9): a segment starts
// at a video random access point once segmentSeconds have passed; within it, a part ends every
// whole number of frames closest to partSeconds, so every part but a segment's last lasts exactly
// the part target. Each part is one movie fragment (moof + mdat) of every track; a segment is its
// parts' bytes, concatenated. The init segment is written when the first keyframe brings the
// parameter sets. Audio-only streams cut by audio frames instead.
import type { AccessUnit } from '../access-units/access-unit-assembler.js';
import { FragmentBuilder } from '../fmp4/fragment-builder.js';
import { writeInitSegment } from '../fmp4/init-segment.js';
import { type Track, videoTrackFrom } from '../fmp4/tracks.js';
import { AAC_FRAME_SAMPLES, type AudioFormat } from '../ts/adts.js';
import type { VideoCodec, VideoFormat } from '../ts/nal.js';
import { PTS_HZ } from '../ts/timestamps.js';
import { recordStart, sourceCutAt, type TimelineRole } from './segment-timeline.js';

/** What the demuxer knows of the program, handed in with each unit. */
export interface ProgramContext {
  videoCodec: VideoCodec | null;
  videoFormat: VideoFormat | null;
  /** Known from the first audio PES; the program may declare audio before any arrives. */
  audioFormat: AudioFormat | null;
  audioDeclared: boolean;
}

export interface CmafPart {
  /** moof + mdat: a view, valid during the callback. */
  bytes: Uint8Array;
  durationSeconds: number;
  /** Starts with a video random access point (EXT-X-PART INDEPENDENT=YES); always for audio-only. */
  independent: boolean;
  /** Part index within its segment: 0 starts a segment. */
  index: number;
  /** On a segment's first part: the timeline broke before this segment (EXT-X-DISCONTINUITY). */
  discontinuity: boolean;
  /** PTS of the first frame of the part's segment. */
  segmentStartPts: number;
}

export interface CmafSegmentEnd {
  durationSeconds: number;
  /** False when a GOP longer than the target forced a cut without a keyframe. */
  startsWithKeyframe: boolean;
  /** PTS of the segment's first frame (see FinishedSegment.startPts). */
  startPts: number;
}

export interface CmafSegmenterOptions {
  segmentSeconds: number;
  partSeconds: number;
  /** EXT-X-TARGETDURATION: no segment may round above it, so a cut is forced before (as for TS). */
  targetDuration: number;
  /** A new init segment (EXT-X-MAP): at the start and whenever the tracks change. */
  onInit: (init: Uint8Array, tracks: Track[]) => void;
  onPart: (part: CmafPart) => void;
  onSegmentEnd: (segment: CmafSegmentEnd) => void;
  /** ABR: the source records its cut points; a rung cuts where the source did (see SegmentTimeline). */
  timeline?: TimelineRole;
}

/**
 * How long the first keyframe and what follows it are held while a declared audio track has not
 * shown its format yet (its first PES usually comes just after the keyframe); after that the stream
 * starts without audio rather than not at all (a feed that lost its audio). Bounded in units too.
 */
const AUDIO_WAIT_TICKS = 2 * PTS_HZ;
const AUDIO_WAIT_UNITS = 512;

/** A decode-time step larger than this (or backwards beyond a frame) is a new timeline. */
const MAX_DTS_STEP = 5 * PTS_HZ;
/**
 * Video that stops while audio goes on (encoder fault, camera unplugged): after this many target
 * durations of audio past the last video frame the open segment is published and the stream waits
 * for video (audio alone would need other tracks: a new init segment), counted in videoGaps. The
 * audio gathered meanwhile is bounded by it.
 */
const VIDEO_GAP_TARGET_DURATIONS = 2;

export class CmafSegmenter {
  private tracks: Track[] | null = null;
  private builder: FragmentBuilder | null = null;
  private videoIndex = -1;
  private audioIndex = -1;
  private codec: VideoCodec = 'h264';
  /** 90 kHz decode times: where the open segment and part began, and the last unit's. */
  private segmentStart = -1;
  /** The presentation time of the segment's first frame (segmentStart is its decode time). */
  private segmentStartPts = -1;
  private partStart = -1;
  private lastDts = -1;
  /** One frame of the stream that paces the parts (video, or audio when there is none). */
  private frameTicks = 0;
  /** The part target in 90 kHz ticks (setFrameTicks). */
  private partTicks = 0;
  private partIndependent = false;
  private partIndex = 0;
  private segmentKeyed = true;
  /** Segments cut without a keyframe because the GOP outlasted the target duration. */
  forcedCuts = 0;
  /** Times the video stopped while audio went on. */
  videoGaps = 0;
  private discontinuityPending = false;
  /** mfhd sequence_number: counts fragments over the stream's life (CMAF 7.5.14). */
  private nextSequence = 1;
  /** Copies of the units from the first keyframe on, while the audio format is awaited. */
  private held: AccessUnit[] = [];
  /** The part target actually used, whole frames: null until the frame duration is known. */
  partTargetSeconds: number | null = null;

  constructor(private readonly options: CmafSegmenterOptions) {}

  /** True once the init segment is out and a segment is open. */
  get started(): boolean {
    return this.segmentStart >= 0;
  }

  push(unit: AccessUnit, program: ProgramContext): void {
    const pacing = program.videoCodec ? 'video' : 'audio';
    if (this.tracks && unit.track === pacing && this.breaksTimeline(unit.dts)) this.flush();
    if (this.tracks) {
      this.add(unit);
      return;
    }
    if (this.held.length === 0 && (unit.track !== pacing || !unit.key)) return;
    // A rung starts at a keyframe where the source starts a segment (where the source has been).
    if (this.held.length === 0 && sourceCutAt(this.options.timeline, unit.pts) === false) return;
    this.held.push({ ...unit, data: new Uint8Array(unit.data) });
    const awaitingAudio = program.videoCodec !== null && program.audioDeclared && !program.audioFormat;
    if (awaitingAudio && unit.dts - this.held[0].dts < AUDIO_WAIT_TICKS && this.held.length < AUDIO_WAIT_UNITS) return;
    const held = this.held;
    this.held = [];
    if (this.begin(held[0], program)) for (const u of held) this.add(u);
  }

  private add(unit: AccessUnit): void {
    if (unit.track === 'audio' && this.videoIndex >= 0 && this.lastDts >= 0) {
      if (unit.dts - this.lastDts > VIDEO_GAP_TARGET_DURATIONS * this.options.targetDuration * PTS_HZ) {
        this.videoGaps++;
        this.flush();
        return;
      }
    }
    if (unit.track === 'audio') {
      if (this.audioIndex >= 0 && this.started) this.addAudio(unit);
      return;
    }
    if (this.videoIndex < 0) return;
    this.pace(unit.dts, unit.key, unit.pts);
    this.builder!.addVideo(this.videoIndex, this.codec, unit.dts, unit.pts, unit.key, unit.data);
  }

  /** The feed stopped or the timeline broke: ends the open segment; the next starts over with a keyframe. */
  flush(): void {
    if (this.started && this.builder!.sampleCount > 0) this.endPart(undefined, true);
    this.tracks = null;
    this.builder = null;
    this.held = [];
    this.segmentStart = -1;
    this.partStart = -1;
    this.lastDts = -1;
    this.discontinuityPending = true;
  }

  /** First keyframe (or audio frame): the tracks, the init segment, the first segment. */
  private begin(unit: AccessUnit, program: ProgramContext): boolean {
    const tracks: Track[] = [];
    if (program.videoCodec) {
      if (!program.videoFormat) return false;
      const video = videoTrackFrom(1, program.videoCodec, program.videoFormat, unit.data);
      if (!video) return false;
      tracks.push(video);
      this.codec = program.videoCodec;
    }
    if (program.audioFormat) tracks.push({ kind: 'audio', id: tracks.length + 1, format: program.audioFormat });
    this.tracks = tracks;
    this.videoIndex = tracks.findIndex((t) => t.kind === 'video');
    this.audioIndex = tracks.findIndex((t) => t.kind === 'audio');
    this.builder = new FragmentBuilder(tracks);
    this.options.onInit(writeInitSegment(tracks), tracks);
    this.segmentStart = unit.dts;
    this.markStart(unit.track === 'video' ? unit.pts : unit.dts);
    this.partStart = unit.dts;
    this.lastDts = -1;
    this.partIndependent = true;
    this.partIndex = 0;
    this.segmentKeyed = true;
    return true;
  }

  private addAudio(unit: AccessUnit): void {
    const rate = unit.sampleRate;
    if (this.videoIndex < 0) {
      if (this.frameTicks === 0) this.setFrameTicks((AAC_FRAME_SAMPLES * PTS_HZ) / rate);
      this.pace(unit.dts, true, unit.dts);
    }
    this.builder!.addAudio(this.audioIndex, Math.round((unit.dts * rate) / PTS_HZ), unit.data);
  }

  /** Before a unit of the pacing track at `dts`: ends the part or the segment it would overrun. */
  private pace(dts: number, key: boolean, pts: number): void {
    if (this.lastDts >= 0 && this.frameTicks === 0 && dts > this.lastDts) this.setFrameTicks(dts - this.lastDts);
    this.lastDts = dts;
    if (this.frameTicks === 0) return; // the first unit: nothing to cut yet
    const half = this.frameTicks / 2;
    const elapsed = dts - this.segmentStart;
    const sourceCut = key ? sourceCutAt(this.options.timeline, pts) : null;
    const due = key && elapsed > 0 && (sourceCut ?? elapsed >= this.options.segmentSeconds * PTS_HZ - half);
    // No keyframe in time: cut anyway so EXTINF stays within EXT-X-TARGETDURATION.
    const overdue = elapsed + this.frameTicks > (this.options.targetDuration + 0.45) * PTS_HZ;
    if (due || overdue) {
      this.endPart(dts, true);
      if (!key) this.forcedCuts++;
      this.segmentStart = dts;
      this.markStart(pts);
      this.partStart = dts;
      this.partIndependent = key;
      this.segmentKeyed = key;
      this.partIndex = 0;
    } else if (dts - this.partStart >= this.partTicks - half) {
      this.endPart(dts, false);
      this.partStart = dts;
      this.partIndependent = key;
      this.partIndex++;
    }
  }

  private markStart(pts: number): void {
    this.segmentStartPts = pts;
    recordStart(this.options.timeline, pts);
  }

  /** Frames per second of the video, from its decode times; null for audio-only streams. */
  frameRate(): number | null {
    return this.videoIndex >= 0 && this.frameTicks > 0 ? Math.round((PTS_HZ / this.frameTicks) * 1000) / 1000 : null;
  }

  /** An encoder restart or a timestamp jump: what is open ends, and a new timeline begins. */
  private breaksTimeline(dts: number): boolean {
    if (this.lastDts < 0) return false;
    const step = dts - this.lastDts;
    return step > MAX_DTS_STEP || step < -PTS_HZ;
  }

  /** The frame duration, once known, fixes the part target: whole frames nearest partSeconds (at least one). */
  private setFrameTicks(ticks: number): void {
    this.frameTicks = ticks;
    this.partTicks = Math.max(1, Math.round((this.options.partSeconds * PTS_HZ) / ticks)) * ticks;
    this.partTargetSeconds = this.partTicks / PTS_HZ;
  }

  private endPart(endDts: number | undefined, endsSegment: boolean): void {
    const builder = this.builder!;
    if (builder.sampleCount === 0) return;
    const end = endDts ?? this.lastDts + this.frameTicks;
    const ends = this.tracks!.map((t) => (t.kind === 'video' ? end : undefined));
    this.options.onPart({
      bytes: builder.finish(this.nextSequence++, ends),
      durationSeconds: (end - this.partStart) / PTS_HZ,
      independent: this.partIndependent,
      index: this.partIndex,
      discontinuity: this.partIndex === 0 && this.discontinuityPending,
      segmentStartPts: this.segmentStartPts,
    });
    if (this.partIndex === 0) this.discontinuityPending = false;
    if (endsSegment)
      this.options.onSegmentEnd({
        durationSeconds: (end - this.segmentStart) / PTS_HZ,
        startsWithKeyframe: this.segmentKeyed,
        startPts: this.segmentStartPts,
      });
  }
}
