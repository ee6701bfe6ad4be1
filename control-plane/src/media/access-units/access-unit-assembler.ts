// The stage after the demuxer for containers that store samples, not packets (fMP4/CMAF): whole
// access units per track, with their timestamps and whether each is a random access point. Video
// units are the PES payload as sent (Annex B); audio PES payloads are split into their ADTS frames,
// each a unit with its own PTS. Units are views into reused buffers, valid during the callback.
import { ByteBuffer } from '../segmenter/byte-buffer.js';
import type { PacketInfo } from '../ts/demuxer.js';
import { AAC_FRAME_SAMPLES, adtsFrameAt } from '../ts/adts.js';
import { PTS_HZ } from '../ts/timestamps.js';

export type TrackKind = 'video' | 'audio';

export interface AccessUnit {
  track: TrackKind;
  /** 90 kHz, unwrapped (the demuxer's clock). */
  pts: number;
  dts: number;
  /** A random access point: an IDR (video) or any audio frame. */
  key: boolean;
  /** Annex B bytes (video) or one raw AAC frame without its ADTS header (audio). */
  data: Uint8Array;
  /** Audio: samples per second of this frame, from its ADTS header; 0 for video. */
  sampleRate: number;
}

export interface AssemblerCounters {
  /** Access units with a packet lost inside them (continuity error): passed on as the TS path does. */
  damaged: number;
  /** ADTS bytes that did not parse as frames. */
  badAudioBytes: number;
}

interface Pending {
  bytes: ByteBuffer;
  pts: number;
  dts: number;
  key: boolean;
  /** PES_packet_length's payload bytes, or 0 when unbounded (video may leave it 0). */
  expected: number;
  damaged: boolean;
  open: boolean;
}

export class AccessUnitAssembler {
  readonly counters: AssemblerCounters = { damaged: 0, badAudioBytes: 0 };
  private readonly video: Pending = pending();
  private readonly audio: Pending = pending();
  private readonly unit: AccessUnit = { track: 'video', pts: 0, dts: 0, key: false, data: new Uint8Array(0), sampleRate: 0 };

  constructor(private readonly onUnit: (unit: AccessUnit) => void) {}

  /** One TS packet and the demuxer's verdict on it. */
  push(packet: Uint8Array, info: PacketInfo): void {
    if (info.kind !== 'video' && info.kind !== 'audio') return;
    const state = info.kind === 'video' ? this.video : this.audio;
    if (info.pesStart) {
      this.finish(info.kind);
      // A PES without a PTS cannot be placed, nor one whose header did not parse: skipped until the next.
      if (info.pts < 0 || info.esOffset < 0) return;
      state.open = true;
      state.damaged = false;
      state.pts = info.pts;
      state.dts = info.dts >= 0 ? info.dts : info.pts;
      state.key = info.kind === 'audio';
      state.expected = info.esLength;
      state.bytes.clear();
      state.bytes.append(packet.subarray(info.esOffset));
    } else if (state.open && info.payloadOffset >= 0) {
      state.bytes.append(packet.subarray(info.payloadOffset));
    }
    if (info.continuityError) state.damaged = true;
    if (info.kind === 'video' && info.decided) this.video.key = info.decided === 'key';
    // A bounded PES is complete once its bytes are in: hand it on now, not at the next PES start.
    if (state.open && state.expected > 0 && state.bytes.length >= state.expected) this.finish(info.kind);
  }

  /** The feed stopped or the timeline broke: hand on what is complete, forget the rest. */
  flush(): void {
    this.finish('video');
    this.finish('audio');
  }

  /** Forgets partial units (a new program or timeline). */
  reset(): void {
    this.video.open = false;
    this.audio.open = false;
  }

  private finish(track: TrackKind): void {
    const state = track === 'video' ? this.video : this.audio;
    if (!state.open) return;
    state.open = false;
    const length = state.expected > 0 ? Math.min(state.expected, state.bytes.length) : state.bytes.length;
    const data = state.bytes.view(0, length);
    if (state.damaged) this.counters.damaged++;
    const unit = this.unit;
    unit.track = track;
    unit.key = state.key;
    if (track === 'video') {
      unit.pts = state.pts;
      unit.dts = state.dts;
      unit.data = data;
      unit.sampleRate = 0;
      this.onUnit(unit);
      return;
    }
    let offset = 0;
    let ticks = 0;
    while (offset < data.length) {
      const frame = adtsFrameAt(data, offset);
      if (!frame) {
        this.counters.badAudioBytes += data.length - offset;
        return;
      }
      unit.pts = state.pts + Math.round(ticks);
      unit.dts = unit.pts;
      unit.data = data.subarray(frame.payloadAt, frame.end);
      unit.sampleRate = frame.sampleRate;
      this.onUnit(unit);
      ticks += (AAC_FRAME_SAMPLES * PTS_HZ) / frame.sampleRate;
      offset = frame.end;
    }
  }
}

function pending(): Pending {
  return { bytes: new ByteBuffer(64 * 1024), pts: -1, dts: -1, key: false, expected: 0, damaged: false, open: false };
}
