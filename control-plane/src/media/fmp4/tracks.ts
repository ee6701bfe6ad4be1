// What an fMP4 init segment needs to know of each track, gathered from the elementary streams:
// the video's parameter sets (from its first keyframe) and format, the audio's ADTS-derived format.
import type { AudioFormat } from '../ts/adts.js';
import { nalType, splitNalUnits, type VideoCodec, type VideoFormat } from '../ts/nal.js';

export const VIDEO_TIMESCALE = 90_000;

export interface VideoTrack {
  kind: 'video';
  id: number;
  codec: VideoCodec;
  format: VideoFormat;
  /** Parameter sets as NAL units without start codes: HEVC VPS (empty for H.264), SPS, PPS. */
  vps: Uint8Array[];
  sps: Uint8Array[];
  pps: Uint8Array[];
}

export interface AudioTrack {
  kind: 'audio';
  id: number;
  format: AudioFormat;
}

export type Track = VideoTrack | AudioTrack;

export function timescaleOf(track: Track): number {
  return track.kind === 'video' ? VIDEO_TIMESCALE : track.format.sampleRate;
}

/** NAL unit types of parameter sets: H.264 SPS 7, PPS 8 (ITU-T H.264 7.4.1); HEVC VPS 32, SPS 33, PPS 34 (H.265 7.4.2.2). */
const PARAMETER_SETS = {
  h264: { vps: -1, sps: 7, pps: 8 },
  hevc: { vps: 32, sps: 33, pps: 34 },
} as const;

/** A video track from a keyframe's access unit (Annex B), or null when it lacks a parameter set. */
export function videoTrackFrom(id: number, codec: VideoCodec, format: VideoFormat, keyframe: Uint8Array): VideoTrack | null {
  const types = PARAMETER_SETS[codec];
  const track: VideoTrack = { kind: 'video', id, codec, format, vps: [], sps: [], pps: [] };
  for (const unit of splitNalUnits(keyframe)) {
    if (unit.length < 2) continue;
    const type = nalType(codec, unit);
    // Copies: the access unit is a view into a reused buffer (new Uint8Array(view) copies even a
    // Buffer, whose slice() would not).
    if (type === types.vps) track.vps.push(new Uint8Array(unit));
    else if (type === types.sps) track.sps.push(new Uint8Array(unit));
    else if (type === types.pps) track.pps.push(new Uint8Array(unit));
  }
  const complete = track.sps.length > 0 && track.pps.length > 0 && (codec === 'h264' || track.vps.length > 0);
  return complete ? track : null;
}
