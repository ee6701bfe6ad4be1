// Movie fragments (ISO/IEC 14496-12 8.8): the samples of every track since the last fragment,
// written as one moof (mfhd, then per track traf: tfhd, tfdt, trun) and one mdat. A fragment is an
// LL-HLS part or a whole CMAF segment alike. Samples and their bytes gather in buffers that are
// reused fragment after fragment; video goes from Annex B to 4-byte NAL lengths on the way in.
import { ByteBuffer } from '../segmenter/byte-buffer.js';
import { AAC_FRAME_SAMPLES } from '../ts/adts.js';
import { nalTypeAt, type VideoCodec } from '../ts/nal.js';
import { BoxWriter } from './box-writer.js';
import { type Track, VIDEO_TIMESCALE } from './tracks.js';

/** sample_depends_on = 2: a sync sample, decodable alone (ISO/IEC 14496-12 8.8.3.1). */
const SYNC_SAMPLE_FLAGS = 0x02000000;
/** sample_depends_on = 1 and sample_is_non_sync_sample. */
const NON_SYNC_SAMPLE_FLAGS = 0x01010000;
/** trun: data-offset, sample-duration, -size, -flags and -composition-time-offset present. */
const TRUN_FLAGS = 0x000001 | 0x000100 | 0x000200 | 0x000400 | 0x000800;
/** tfhd: default-base-is-moof (CMAF 7.5.16): data offsets count from the moof. */
const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;
/** Access unit delimiters are dropped: fMP4 frames samples itself (H.264 type 9, HEVC type 35). */
const AUD = { h264: 9, hevc: 35 } as const;

class TrackRun {
  count = 0;
  dts = new Float64Array(64);
  ctos = new Int32Array(64);
  sizes = new Uint32Array(64);
  flags = new Uint32Array(64);
  readonly data = new ByteBuffer(256 * 1024);
  /** Duration of the previous fragment's last sample, for a last sample whose successor is unknown. */
  lastDuration: number;

  constructor(
    readonly track: Track,
    fallbackDuration: number,
  ) {
    this.lastDuration = fallbackDuration;
  }

  add(dts: number, cto: number, sync: boolean, size: number): void {
    if (this.count === this.dts.length) this.grow();
    this.dts[this.count] = dts;
    this.ctos[this.count] = cto;
    this.sizes[this.count] = size;
    this.flags[this.count] = sync ? SYNC_SAMPLE_FLAGS : NON_SYNC_SAMPLE_FLAGS;
    this.count++;
  }

  durationOf(i: number, endDts: number | undefined): number {
    if (i + 1 < this.count) return this.dts[i + 1] - this.dts[i];
    return endDts !== undefined && endDts > this.dts[i] ? endDts - this.dts[i] : this.lastDuration;
  }

  /** Doubles the sample tables (rare: a fragment of more than 64 samples). */
  private grow(): void {
    this.dts = doubled(this.dts, new Float64Array(this.dts.length * 2));
    this.ctos = doubled(this.ctos, new Int32Array(this.ctos.length * 2));
    this.sizes = doubled(this.sizes, new Uint32Array(this.sizes.length * 2));
    this.flags = doubled(this.flags, new Uint32Array(this.flags.length * 2));
  }
}

function doubled<T extends Float64Array | Int32Array | Uint32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

export class FragmentBuilder {
  private readonly runs: TrackRun[];
  private readonly writer = new BoxWriter(256 * 1024);
  private readonly lengthBytes = new Uint8Array(4);
  private readonly trunOffsets: number[];

  /** `tracks` in the init segment's order; durations in each track's timescale. */
  constructor(tracks: Track[]) {
    // Until a fragment says otherwise: a 30 fps frame at 90 kHz, an AAC frame at its sample rate.
    this.runs = tracks.map((t) => new TrackRun(t, t.kind === 'video' ? VIDEO_TIMESCALE / 30 : AAC_FRAME_SAMPLES));
    this.trunOffsets = tracks.map(() => 0);
  }

  /** Samples gathered for the next fragment, all tracks. */
  get sampleCount(): number {
    let n = 0;
    for (const run of this.runs) n += run.count;
    return n;
  }

  /** Samples of one track gathered for the next fragment. */
  samplesOf(trackIndex: number): number {
    return this.runs[trackIndex].count;
  }

  /** A video access unit (Annex B), decode and presentation times in the track's timescale. */
  addVideo(trackIndex: number, codec: VideoCodec, dts: number, pts: number, sync: boolean, annexB: Uint8Array): void {
    const run = this.runs[trackIndex];
    const before = run.data.length;
    this.appendLengthPrefixed(run.data, annexB, codec);
    run.add(dts, pts - dts, sync, run.data.length - before);
  }

  /** One raw audio frame (every one a sync sample). */
  addAudio(trackIndex: number, dts: number, frame: Uint8Array): void {
    const run = this.runs[trackIndex];
    run.data.append(frame);
    run.add(dts, 0, true, frame.length);
  }

  /**
   * moof + mdat of everything added since the last call, as a view valid until the next call.
   * `endDts[i]`: the decode time of track i's next sample when known (the last sample lasts until
   * then); otherwise it lasts as long as the one before it.
   */
  finish(sequence: number, endDts: (number | undefined)[] = []): Uint8Array {
    const w = this.writer;
    w.reset();
    const moof = w.open('moof');
    const mfhd = w.openFull('mfhd', 0, 0);
    w.u32(sequence);
    w.close(mfhd);
    this.runs.forEach((run, index) => {
      if (run.count === 0) return;
      const traf = w.open('traf');
      const tfhd = w.openFull('tfhd', 0, TFHD_DEFAULT_BASE_IS_MOOF);
      w.u32(run.track.id);
      w.close(tfhd);
      const tfdt = w.openFull('tfdt', 1, 0);
      w.u64(run.dts[0]);
      w.close(tfdt);
      const trun = w.openFull('trun', 1, TRUN_FLAGS); // version 1: signed composition offsets
      w.u32(run.count);
      this.trunOffsets[index] = w.length;
      w.u32(0); // data_offset, patched below
      for (let i = 0; i < run.count; i++) {
        const duration = run.durationOf(i, endDts[index]);
        w.u32(duration);
        w.u32(run.sizes[i]);
        w.u32(run.flags[i]);
        w.i32(run.ctos[i]);
        if (i === run.count - 1) run.lastDuration = duration;
      }
      w.close(trun);
      w.close(traf);
    });
    w.close(moof);
    const mdat = w.open('mdat');
    this.runs.forEach((run, index) => {
      if (run.count === 0) return;
      w.patchU32(this.trunOffsets[index], w.length - moof);
      w.bytesOf(run.data.view(0, run.data.length));
      run.count = 0;
      run.data.clear();
    });
    w.close(mdat);
    return w.result();
  }

  /** Appends each NAL unit of an Annex B access unit with a 4-byte length, skipping delimiters. */
  private appendLengthPrefixed(out: ByteBuffer, data: Uint8Array, codec: VideoCodec): void {
    let start = -1;
    for (let i = 0; i + 2 < data.length; i++) {
      if (data[i] !== 0 || data[i + 1] !== 0 || data[i + 2] !== 1) continue;
      if (start >= 0) this.appendUnit(out, data, start, i, codec);
      i += 2;
      start = i + 1;
    }
    if (start >= 0) this.appendUnit(out, data, start, data.length, codec);
  }

  private appendUnit(out: ByteBuffer, data: Uint8Array, start: number, end: number, codec: VideoCodec): void {
    // Zero bytes before the next start code belong to it (a 4-byte start code, or trailing_zero_8bits).
    while (end > start && data[end - 1] === 0) end--;
    if (end <= start) return;
    if (nalTypeAt(codec, data, start) === AUD[codec]) return;
    const length = end - start;
    this.lengthBytes[0] = length >>> 24;
    this.lengthBytes[1] = (length >>> 16) & 0xff;
    this.lengthBytes[2] = (length >>> 8) & 0xff;
    this.lengthBytes[3] = length & 0xff;
    out.append(this.lengthBytes);
    out.append(data.subarray(start, end));
  }
}
