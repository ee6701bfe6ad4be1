// NAL units in Annex B byte streams: splitting, random access classification, and the parameter
// sets HLS needs (codec string, resolution).
import { BitReader, toRbsp } from './bit-reader.js';

export type VideoCodec = 'h264' | 'hevc';

/** NAL units (without start codes) in an Annex B buffer; a unit cut off at the end is returned as is. */
export function splitNalUnits(data: Uint8Array): Uint8Array[] {
  const units: Uint8Array[] = [];
  let start = -1;
  let i = 0;
  while (i + 2 < data.length) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      if (start >= 0) units.push(trimTrailingZeros(data.subarray(start, i)));
      i += 3;
      start = i;
    } else {
      i++;
    }
  }
  if (start >= 0 && start < data.length) units.push(data.subarray(start));
  return units;
}

function trimTrailingZeros(unit: Uint8Array): Uint8Array {
  let end = unit.length;
  while (end > 0 && unit[end - 1] === 0) end--;
  return unit.subarray(0, end);
}

export function nalType(codec: VideoCodec, unit: Uint8Array): number {
  return nalTypeAt(codec, unit, 0);
}

/** The type of the NAL unit whose header starts at `at` (H.264 7.3.1: 5 bits; H.265 7.3.1.2: 6 bits after the forbidden bit). */
export function nalTypeAt(codec: VideoCodec, data: Uint8Array, at: number): number {
  return codec === 'h264' ? data[at] & 0x1f : (data[at] >> 1) & 0x3f;
}

/** H.264: 1-5 are slices (5 = IDR). HEVC: 0-31 are VCL (16-23 IRAP). */
export function isSlice(codec: VideoCodec, type: number): boolean {
  return codec === 'h264' ? type >= 1 && type <= 5 : type <= 31;
}

/**
 * A random access point: H.264 IDR (5); HEVC IDR (19, 20) and BLA (16-18). CRA (21) is left out
 * on purpose: its RASL pictures cannot be decoded when a player starts there (ITU-T H.265: RASL pictures reference pictures before the CRA).
 */
export function isRandomAccess(codec: VideoCodec, type: number): boolean {
  return codec === 'h264' ? type === 5 : type >= 16 && type <= 20;
}

export function isSps(codec: VideoCodec, type: number): boolean {
  return codec === 'h264' ? type === 7 : type === 33;
}

export interface VideoFormat {
  /** RFC 6381 codec string, e.g. avc1.64001f */
  codecs: string;
  width: number;
  height: number;
  /** chroma_format_idc and bit depths, which avcC (high profiles) and hvcC repeat. */
  chromaFormat: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  /** HEVC only: the SPS fields an hvcC record repeats (ISO/IEC 14496-15 8.3.3.1). */
  hevc?: HevcSpsFields;
}

export interface HevcSpsFields {
  /** general_profile_space .. general_level_idc: 12 bytes, in the layout hvcC copies them. */
  generalProfile: Uint8Array;
  maxSubLayers: number;
  temporalIdNested: boolean;
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

/** H.264 SPS (7.3.2.1.1): profile, constraints and level for avc1.PPCCLL, and the cropped size. */
export function parseH264Sps(unit: Uint8Array): VideoFormat {
  const r = new BitReader(toRbsp(unit.subarray(1)));
  const profile = r.bits(8);
  const constraints = r.bits(8);
  const level = r.bits(8);
  r.ue(); // seq_parameter_set_id
  let chromaFormat = 1;
  let bitDepthLuma = 8;
  let bitDepthChroma = 8;
  let separateColourPlanes = false;
  if ([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].includes(profile)) {
    chromaFormat = r.ue();
    if (chromaFormat === 3) separateColourPlanes = r.flag();
    bitDepthLuma = r.ue() + 8;
    bitDepthChroma = r.ue() + 8;
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.flag()) {
      for (let i = 0; i < (chromaFormat !== 3 ? 8 : 12); i++) {
        if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) r.ue();
  else if (pocType === 1) {
    r.skip(1);
    r.se();
    r.se();
    const cycle = r.ue();
    for (let i = 0; i < cycle; i++) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.ue() + 1;
  const heightMapUnits = r.ue() + 1;
  const frameMbsOnly = r.flag();
  if (!frameMbsOnly) r.skip(1);
  r.skip(1); // direct_8x8_inference_flag
  let crop = [0, 0, 0, 0];
  if (r.flag()) crop = [r.ue(), r.ue(), r.ue(), r.ue()];
  const arrayType = separateColourPlanes ? 0 : chromaFormat;
  const cropX = arrayType === 0 ? 1 : arrayType === 3 ? 1 : 2;
  const cropY = (arrayType === 0 ? 1 : arrayType === 1 ? 2 : 1) * (frameMbsOnly ? 1 : 2);
  return {
    codecs: `avc1.${hex2(profile)}${hex2(constraints)}${hex2(level)}`,
    width: widthMbs * 16 - cropX * (crop[0] + crop[1]),
    height: (frameMbsOnly ? 1 : 2) * heightMapUnits * 16 - cropY * (crop[2] + crop[3]),
    chromaFormat,
    bitDepthLuma,
    bitDepthChroma,
  };
}

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/**
 * HEVC SPS (7.3.2.2): profile_tier_level for hvc1.<profile>.<compat>.<tier><level>.<constraint>
 * (ISO/IEC 14496-15 E.3) and pic_width/height with the conformance window.
 */
export function parseHevcSps(unit: Uint8Array): VideoFormat {
  const rbsp = toRbsp(unit.subarray(2));
  const r = new BitReader(rbsp);
  r.skip(4); // sps_video_parameter_set_id
  const maxSubLayers = r.bits(3) + 1;
  const temporalIdNested = r.flag();
  const generalProfile = rbsp.slice(1, 13);
  const profileSpace = r.bits(2);
  const tier = r.bits(1);
  const profile = r.bits(5);
  const compat = r.bits(32);
  const constraintBytes = [r.bits(8), r.bits(8), r.bits(8), r.bits(8), r.bits(8), r.bits(8)];
  const level = r.bits(8);
  const subLayerProfile: boolean[] = [];
  const subLayerLevel: boolean[] = [];
  for (let i = 0; i < maxSubLayers - 1; i++) {
    subLayerProfile.push(r.flag());
    subLayerLevel.push(r.flag());
  }
  if (maxSubLayers > 1) for (let i = maxSubLayers - 1; i < 8; i++) r.skip(2);
  for (let i = 0; i < maxSubLayers - 1; i++) {
    if (subLayerProfile[i]) r.skip(88);
    if (subLayerLevel[i]) r.skip(8);
  }
  r.ue(); // sps_seq_parameter_set_id
  const chromaFormat = r.ue();
  if (chromaFormat === 3) r.skip(1);
  let width = r.ue();
  let height = r.ue();
  if (r.flag()) {
    const subWidth = chromaFormat === 1 || chromaFormat === 2 ? 2 : 1;
    const subHeight = chromaFormat === 1 ? 2 : 1;
    const [left, right, top, bottom] = [r.ue(), r.ue(), r.ue(), r.ue()];
    width -= subWidth * (left + right);
    height -= subHeight * (top + bottom);
  }
  const bitDepthLuma = r.ue() + 8;
  const bitDepthChroma = r.ue() + 8;
  // compatibility flags are written bit-reversed, in hex, without leading zeros
  let reversed = 0;
  for (let i = 0; i < 32; i++) reversed = reversed * 2 + ((compat >>> i) & 1);
  let lastConstraint = constraintBytes.length;
  while (lastConstraint > 0 && constraintBytes[lastConstraint - 1] === 0) lastConstraint--;
  const constraints = constraintBytes
    .slice(0, Math.max(lastConstraint, 1))
    .map((b) => b.toString(16).toUpperCase())
    .join('.');
  const space = ['', 'A', 'B', 'C'][profileSpace];
  return {
    codecs: `hvc1.${space}${profile}.${reversed.toString(16).toUpperCase()}.${tier ? 'H' : 'L'}${level}.${constraints}`,
    width,
    height,
    chromaFormat,
    bitDepthLuma,
    bitDepthChroma,
    hevc: { generalProfile, maxSubLayers, temporalIdNested },
  };
}
