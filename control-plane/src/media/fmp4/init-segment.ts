// The CMAF header / fMP4 init segment (ISO/IEC 14496-12, ISO/IEC 23000-19 7.3): ftyp, then a moov
// whose tracks have empty sample tables and an mvex, so every sample comes in movie fragments.
import { BoxWriter } from './box-writer.js';
import { type AudioTrack, type Track, timescaleOf, type VideoTrack } from './tracks.js';

/** ISO-639-2 "und", packed as three 5-bit letters (ISO/IEC 14496-12 8.4.2.3). */
const LANGUAGE_UND = 0x55c4;
/** Unity transformation matrix (ISO/IEC 14496-12 8.2.2.3). */
const MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];

export function writeInitSegment(tracks: Track[]): Uint8Array {
  const w = new BoxWriter(4096);
  const ftyp = w.open('ftyp');
  w.fourcc('iso6'); // major brand: fragments with tfdt
  w.u32(0);
  for (const brand of ['iso6', 'cmfc', 'mp41']) w.fourcc(brand);
  w.close(ftyp);

  const moov = w.open('moov');
  const mvhd = w.openFull('mvhd', 0, 0);
  w.u32(0); // creation_time
  w.u32(0); // modification_time
  w.u32(1000); // timescale
  w.u32(0); // duration: unknown, live
  w.u32(0x00010000); // rate 1.0
  w.u16(0x0100); // volume 1.0
  w.zeros(10);
  for (const m of MATRIX) w.u32(m);
  w.zeros(24); // pre_defined
  w.u32(Math.max(...tracks.map((t) => t.id)) + 1); // next_track_ID
  w.close(mvhd);
  for (const track of tracks) writeTrak(w, track);
  const mvex = w.open('mvex');
  for (const track of tracks) {
    const trex = w.openFull('trex', 0, 0);
    w.u32(track.id);
    w.u32(1); // default_sample_description_index
    w.u32(0); // default_sample_duration
    w.u32(0); // default_sample_size
    w.u32(0); // default_sample_flags
    w.close(trex);
  }
  w.close(mvex);
  w.close(moov);
  return w.result().slice();
}

function writeTrak(w: BoxWriter, track: Track): void {
  const video = track.kind === 'video';
  const trak = w.open('trak');
  const tkhd = w.openFull('tkhd', 0, 0x000003); // enabled, in movie
  w.u32(0);
  w.u32(0);
  w.u32(track.id);
  w.u32(0); // reserved
  w.u32(0); // duration
  w.zeros(8);
  w.u16(0); // layer
  w.u16(0); // alternate_group
  w.u16(video ? 0 : 0x0100); // volume
  w.u16(0);
  for (const m of MATRIX) w.u32(m);
  w.u32(video ? track.format.width * 0x10000 : 0);
  w.u32(video ? track.format.height * 0x10000 : 0);
  w.close(tkhd);

  const mdia = w.open('mdia');
  const mdhd = w.openFull('mdhd', 0, 0);
  w.u32(0);
  w.u32(0);
  w.u32(timescaleOf(track));
  w.u32(0);
  w.u16(LANGUAGE_UND);
  w.u16(0);
  w.close(mdhd);
  const hdlr = w.openFull('hdlr', 0, 0);
  w.u32(0);
  w.fourcc(video ? 'vide' : 'soun');
  w.zeros(12);
  for (const c of video ? 'Video\0' : 'Audio\0') w.u8(c.charCodeAt(0));
  w.close(hdlr);

  const minf = w.open('minf');
  if (video) {
    const vmhd = w.openFull('vmhd', 0, 1);
    w.zeros(8); // graphicsmode, opcolor
    w.close(vmhd);
  } else {
    const smhd = w.openFull('smhd', 0, 0);
    w.zeros(4); // balance, reserved
    w.close(smhd);
  }
  const dinf = w.open('dinf');
  const dref = w.openFull('dref', 0, 0);
  w.u32(1);
  w.close(w.openFull('url ', 0, 1)); // media in this file
  w.close(dref);
  w.close(dinf);

  const stbl = w.open('stbl');
  const stsd = w.openFull('stsd', 0, 0);
  w.u32(1);
  if (track.kind === 'video') writeVisualSampleEntry(w, track);
  else writeAudioSampleEntry(w, track);
  w.close(stsd);
  for (const empty of ['stts', 'stsc', 'stco']) {
    const box = w.openFull(empty, 0, 0);
    w.u32(0); // entry_count
    w.close(box);
  }
  const stsz = w.openFull('stsz', 0, 0);
  w.u32(0); // sample_size
  w.u32(0); // sample_count
  w.close(stsz);
  w.close(stbl);
  w.close(minf);
  w.close(mdia);
  w.close(trak);
}

/** ISO/IEC 14496-12 12.1.3 VisualSampleEntry, with the codec's configuration box (14496-15). */
function writeVisualSampleEntry(w: BoxWriter, track: VideoTrack): void {
  const entry = w.open(track.codec === 'h264' ? 'avc1' : 'hvc1');
  w.zeros(6);
  w.u16(1); // data_reference_index
  w.zeros(16); // pre_defined, reserved
  w.u16(track.format.width);
  w.u16(track.format.height);
  w.u32(0x00480000); // 72 dpi
  w.u32(0x00480000);
  w.u32(0);
  w.u16(1); // frame_count
  w.zeros(32); // compressorname
  w.u16(0x0018); // depth
  w.u16(0xffff); // pre_defined = -1
  if (track.codec === 'h264') writeAvcC(w, track);
  else writeHvcC(w, track);
  w.close(entry);
}

/** AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1), NAL lengths in 4 bytes. */
function writeAvcC(w: BoxWriter, track: VideoTrack): void {
  const box = w.open('avcC');
  const sps = track.sps[0];
  w.u8(1);
  w.u8(sps[1]); // AVCProfileIndication
  w.u8(sps[2]); // profile_compatibility
  w.u8(sps[3]); // AVCLevelIndication
  w.u8(0xff); // lengthSizeMinusOne = 3
  w.u8(0xe0 | track.sps.length);
  for (const unit of track.sps) lengthPrefixed(w, unit);
  w.u8(track.pps.length);
  for (const unit of track.pps) lengthPrefixed(w, unit);
  if ([100, 110, 122, 144].includes(sps[1])) {
    w.u8(0xfc | track.format.chromaFormat);
    w.u8(0xf8 | (track.format.bitDepthLuma - 8));
    w.u8(0xf8 | (track.format.bitDepthChroma - 8));
    w.u8(0); // numOfSequenceParameterSetExt
  }
  w.close(box);
}

/** HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1), NAL lengths in 4 bytes. */
function writeHvcC(w: BoxWriter, track: VideoTrack): void {
  const hevc = track.format.hevc;
  if (!hevc) throw new Error('an HEVC track needs the SPS fields hvcC repeats');
  const box = w.open('hvcC');
  w.u8(1);
  w.bytesOf(hevc.generalProfile);
  w.u16(0xf000); // min_spatial_segmentation_idc 0
  w.u8(0xfc); // parallelismType 0: unknown
  w.u8(0xfc | track.format.chromaFormat);
  w.u8(0xf8 | (track.format.bitDepthLuma - 8));
  w.u8(0xf8 | (track.format.bitDepthChroma - 8));
  w.u16(0); // avgFrameRate: unspecified
  // constantFrameRate 0, numTemporalLayers, temporalIdNested, lengthSizeMinusOne 3
  w.u8(((hevc.maxSubLayers & 7) << 3) | (hevc.temporalIdNested ? 4 : 0) | 3);
  const arrays: [number, Uint8Array[]][] = [
    [32, track.vps],
    [33, track.sps],
    [34, track.pps],
  ];
  w.u8(arrays.length);
  for (const [type, units] of arrays) {
    w.u8(0x80 | type); // array_completeness: every parameter set is here, none in-band only
    w.u16(units.length);
    for (const unit of units) lengthPrefixed(w, unit);
  }
  w.close(box);
}

/** ISO/IEC 14496-12 12.2.3 AudioSampleEntry with an esds (ISO/IEC 14496-14 5.6, 14496-1 7.2.6). */
function writeAudioSampleEntry(w: BoxWriter, track: AudioTrack): void {
  const entry = w.open('mp4a');
  w.zeros(6);
  w.u16(1); // data_reference_index
  w.zeros(8);
  w.u16(track.format.channels);
  w.u16(16); // samplesize
  w.u32(0); // pre_defined, reserved
  w.u32(track.format.sampleRate * 0x10000);
  const esds = w.openFull('esds', 0, 0);
  const config = track.format.specificConfig;
  const decoderSpecific = 2 + config.length;
  const decoderConfig = 2 + 13 + decoderSpecific;
  const slConfig = 3;
  descriptor(w, 0x03, 3 + decoderConfig + slConfig); // ES_Descriptor
  w.u16(track.id); // ES_ID
  w.u8(0); // no dependency, URL or OCR stream
  descriptor(w, 0x04, 13 + decoderSpecific); // DecoderConfigDescriptor
  w.u8(0x40); // objectTypeIndication: ISO/IEC 14496-3 audio
  w.u8((0x05 << 2) | 1); // streamType audio, reserved 1
  w.u24(0); // bufferSizeDB
  w.u32(0); // maxBitrate
  w.u32(0); // avgBitrate
  descriptor(w, 0x05, config.length); // DecoderSpecificInfo: the AudioSpecificConfig
  w.bytesOf(config);
  descriptor(w, 0x06, 1); // SLConfigDescriptor
  w.u8(0x02); // predefined: MP4
  w.close(esds);
  w.close(entry);
}

/** A descriptor tag and a one-byte size (every descriptor here is under 128 bytes). */
function descriptor(w: BoxWriter, tag: number, size: number): void {
  w.u8(tag);
  w.u8(size);
}

function lengthPrefixed(w: BoxWriter, unit: Uint8Array): void {
  w.u16(unit.length);
  w.bytesOf(unit);
}
