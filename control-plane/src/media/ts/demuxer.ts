// Just enough of an MPEG-TS demuxer to segment: PAT/PMT, PES starts with PTS/DTS, continuity
// counters, and whether a video access unit is a random access point (decided from the NAL
// types, which may need a few packets after the PES start). Malformed input is counted, never thrown.
import { AudioFormat, parseAdtsHeader } from './adts.js';
import { isRandomAccess, isSlice, isSps, nalType, parseH264Sps, parseHevcSps, splitNalUnits, VideoCodec, VideoFormat } from './nal.js';
import { parsePat, parsePmt, ProgramMap, STREAM_TYPE } from './psi.js';
import { readTimestamp, TimestampUnwrapper } from './timestamps.js';
import * as ts from './ts-packet.js';

/** Bytes of a video PES scanned for its first slice; x264's first SEI alone is ~700 bytes. */
const MAX_SCAN_BYTES = 16 * 1024;

const EMPTY = new Uint8Array(0);

export type PacketKind = 'pat' | 'pmt' | 'video' | 'audio' | 'other' | 'invalid';

/** Per-packet result, reused between calls (copy what you keep). */
export interface PacketInfo {
  kind: PacketKind;
  pid: number;
  /** A PES starts in this packet (video or audio). */
  pesStart: boolean;
  /** Unwrapped PTS of the PES starting here, -1 if none. */
  pts: number;
  /** Unwrapped DTS (= PTS when absent): monotonic in decode order, unlike PTS with B-frames. */
  dts: number;
  /** The previous video PES ended (a new one starts here) without a slice in view: not a keyframe. */
  endedUndecided: boolean;
  /** The current video PES was just classified: 'key' or 'delta'; null while undecided or none. */
  decided: 'key' | 'delta' | null;
  /** The PMT's tracks changed (a new program or version): a timeline break. */
  programChanged: boolean;
  /** The program has a video track (else audio frames are the random access points). */
  hasVideo: boolean;
  /** A packet of this PID was lost just before this one (continuity counter skipped). */
  continuityError: boolean;
  /** Where this packet's payload starts; -1 when it carries none. */
  payloadOffset: number;
  /** On a PES start: where the elementary stream bytes start in this packet (after the PES header); -1 if none. */
  esOffset: number;
  /** On a PES start: the elementary stream bytes PES_packet_length announces; 0 when unbounded (video may say 0). */
  esLength: number;
}

export interface DemuxCounters {
  packets: number;
  invalid: number;
  ccErrors: number;
  pesErrors: number;
}

export class TsDemuxer {
  readonly counters: DemuxCounters = { packets: 0, invalid: 0, ccErrors: 0, pesErrors: 0 };
  pmtPid = -1;
  program: ProgramMap | null = null;
  videoPid = -1;
  videoCodec: VideoCodec | null = null;
  audioPid = -1;
  videoFormat: VideoFormat | null = null;
  audioFormat: AudioFormat | null = null;
  /** The last PAT and PMT packets seen, to start segments with. */
  lastPat: Uint8Array | null = null;
  lastPmt: Uint8Array | null = null;

  private readonly info: PacketInfo = {
    kind: 'other',
    pid: 0,
    pesStart: false,
    pts: -1,
    dts: -1,
    endedUndecided: false,
    decided: null,
    programChanged: false,
    hasVideo: false,
    continuityError: false,
    payloadOffset: -1,
    esOffset: -1,
    esLength: 0,
  };
  private readonly lastCc = new Int8Array(8192).fill(-1);
  private readonly videoClock = new TimestampUnwrapper();
  private readonly decodeClock = new TimestampUnwrapper();
  private readonly audioClock = new TimestampUnwrapper();
  private scan: Uint8Array = new Uint8Array(MAX_SCAN_BYTES);
  private scanLength = 0;
  private scanning = false;
  private scanRai = false;

  push(p: Uint8Array): PacketInfo {
    const info = this.info;
    info.pesStart = false;
    info.pts = -1;
    info.dts = -1;
    info.decided = null;
    info.endedUndecided = false;
    info.programChanged = false;
    info.hasVideo = this.videoPid >= 0;
    info.continuityError = false;
    info.payloadOffset = -1;
    info.esOffset = -1;
    info.esLength = 0;
    this.counters.packets++;
    if (p.length !== ts.TS_PACKET_SIZE || p[0] !== ts.SYNC_BYTE || (p[1] & 0x80) !== 0) {
      this.counters.invalid++;
      info.kind = 'invalid';
      return info;
    }
    const pid = ts.pidOf(p);
    info.pid = pid;
    const payloadAt = ts.payloadOffset(p);
    if (payloadAt < 0) {
      this.counters.invalid++;
      info.kind = 'invalid';
      return info;
    }
    const ccOk = this.checkContinuity(p, pid);
    info.continuityError = !ccOk;
    if (ts.hasPayload(p)) info.payloadOffset = payloadAt;
    // Most packets continue a PES nobody needs to look into: only slice when something reads it.
    const needsPayload = pid === ts.PAT_PID || pid === this.pmtPid || ts.isUnitStart(p) || (pid === this.videoPid && this.scanning);
    const payload = !needsPayload ? EMPTY : ts.hasPayload(p) ? p.subarray(payloadAt) : EMPTY;
    if (pid === ts.PAT_PID) {
      info.kind = 'pat';
      if (ts.isUnitStart(p)) {
        const pmtPid = parsePat(payload);
        if (pmtPid !== null) {
          this.pmtPid = pmtPid;
          this.lastPat = new Uint8Array(p);
        } else this.counters.invalid++;
      }
    } else if (pid === this.pmtPid) {
      info.kind = 'pmt';
      if (ts.isUnitStart(p)) this.onPmt(p, payload, info);
    } else if (pid === this.videoPid) {
      info.kind = 'video';
      this.onVideo(p, payload, ccOk, info);
    } else if (pid === this.audioPid) {
      info.kind = 'audio';
      if (ts.isUnitStart(p)) this.onAudioStart(payload, info);
    } else {
      info.kind = 'other';
    }
    return info;
  }

  /** Forget timing and partial PES state (after a gap or an encoder restart). */
  resetTiming(): void {
    this.videoClock.reset();
    this.decodeClock.reset();
    this.audioClock.reset();
    this.scanning = false;
    this.lastCc.fill(-1);
  }

  private checkContinuity(p: Uint8Array, pid: number): boolean {
    if (!ts.hasPayload(p) || pid === ts.NULL_PID) return true;
    const cc = ts.continuityCounter(p);
    const last = this.lastCc[pid];
    this.lastCc[pid] = cc;
    if (last < 0 || ts.discontinuityIndicator(p) || cc === ((last + 1) & 0x0f) || cc === last) return true;
    this.counters.ccErrors++;
    return false;
  }

  private onPmt(p: Uint8Array, payload: Uint8Array, info: PacketInfo): void {
    const pmt = parsePmt(payload);
    if (!pmt) {
      this.counters.invalid++;
      return;
    }
    this.lastPmt = new Uint8Array(p);
    const changed = !this.program || this.program.version !== pmt.version || JSON.stringify(this.program.streams) !== JSON.stringify(pmt.streams);
    if (!changed) return;
    const hadProgram = this.program !== null;
    this.program = pmt;
    const video = pmt.streams.find((s) => s.streamType === STREAM_TYPE.h264 || s.streamType === STREAM_TYPE.hevc);
    const audio = pmt.streams.find((s) => s.streamType === STREAM_TYPE.aacAdts);
    this.videoPid = video?.pid ?? -1;
    this.videoCodec = video ? (video.streamType === STREAM_TYPE.h264 ? 'h264' : 'hevc') : null;
    this.audioPid = audio?.pid ?? -1;
    info.programChanged = hadProgram;
    info.hasVideo = this.videoPid >= 0;
  }

  /**
   * PES header (2.4.3.6): returns the elementary stream's offset within `payload`, and sets
   * info.pts/dts and where the elementary stream starts in the packet and how long it is.
   */
  private pesHeader(payload: Uint8Array, info: PacketInfo, clock: TimestampUnwrapper): number {
    if (payload.length < 9 || payload[0] !== 0 || payload[1] !== 0 || payload[2] !== 1) {
      this.counters.pesErrors++;
      return -1;
    }
    const headerLength = payload[8];
    if (9 + headerLength > payload.length) {
      this.counters.pesErrors++;
      return -1;
    }
    if (payload[7] & 0x80 && headerLength >= 5) info.pts = clock.unwrap(readTimestamp(payload, 9));
    if (clock === this.videoClock && info.pts >= 0) {
      const hasDts = (payload[7] & 0xc0) === 0xc0 && headerLength >= 10;
      info.dts = this.decodeClock.unwrap(hasDts ? readTimestamp(payload, 14) : readTimestamp(payload, 9));
    }
    info.esOffset = info.payloadOffset + 9 + headerLength;
    // PES_packet_length counts the bytes after itself: 3 header bytes, the optional fields, the data.
    const pesLength = (payload[4] << 8) | payload[5];
    info.esLength = pesLength > 0 ? Math.max(pesLength - 3 - headerLength, 0) : 0;
    return 9 + headerLength;
  }

  private onVideo(p: Uint8Array, payload: Uint8Array, ccOk: boolean, info: PacketInfo): void {
    if (ts.isUnitStart(p)) {
      info.endedUndecided = this.scanning; // the previous PES ended without a slice in view
      info.pesStart = true;
      const at = this.pesHeader(payload, info, this.videoClock);
      this.scanning = at >= 0;
      this.scanLength = 0;
      this.scanRai = ts.randomAccessIndicator(p);
      if (at >= 0) this.appendScan(payload.subarray(at), info);
      return;
    }
    if (!this.scanning) return;
    if (!ccOk) {
      // A packet of this access unit is missing: do not start a segment on a damaged frame.
      this.decide(info, false);
      return;
    }
    this.appendScan(payload, info);
  }

  private appendScan(bytes: Uint8Array, info: PacketInfo): void {
    const n = Math.min(bytes.length, MAX_SCAN_BYTES - this.scanLength);
    this.scan.set(bytes.subarray(0, n), this.scanLength);
    this.scanLength += n;
    const codec = this.videoCodec!;
    const units = splitNalUnits(this.scan.subarray(0, this.scanLength));
    for (let i = 0; i < units.length; i++) {
      const unit = units[i];
      if (unit.length < 2) continue;
      const type = nalType(codec, unit);
      if (isSps(codec, type) && i < units.length - 1) this.readSps(codec, unit);
      if (isSlice(codec, type)) {
        this.decide(info, isRandomAccess(codec, type));
        return;
      }
    }
    if (this.scanLength >= MAX_SCAN_BYTES) this.decide(info, this.scanRai);
  }

  private decide(info: PacketInfo, key: boolean): void {
    this.scanning = false;
    info.decided = key ? 'key' : 'delta';
  }

  private readSps(codec: VideoCodec, unit: Uint8Array): void {
    try {
      this.videoFormat = codec === 'h264' ? parseH264Sps(unit) : parseHevcSps(unit);
    } catch {
      this.counters.pesErrors++;
    }
  }

  private onAudioStart(payload: Uint8Array, info: PacketInfo): void {
    info.pesStart = true;
    const at = this.pesHeader(payload, info, this.audioClock);
    if (at >= 0 && !this.audioFormat) this.audioFormat = parseAdtsHeader(payload.subarray(at));
  }
}
