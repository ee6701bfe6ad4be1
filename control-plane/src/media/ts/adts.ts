/** AAC in ADTS (ISO/IEC 13818-7 / 14496-3 1.A.2): the codec string and sample rate from the first header. */
export interface AudioFormat {
  codecs: string;
  sampleRate: number;
  channels: number;
  /**
   * The AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1) an fMP4 esds carries: audioObjectType (5
   * bits), samplingFrequencyIndex (4), channelConfiguration (4), three zero bits (1024-sample
   * frames, no core coder, no extension).
   */
  specificConfig: Uint8Array;
}

/** Samples per AAC frame (the AudioSpecificConfig we write says 1024, not 960). */
export const AAC_FRAME_SAMPLES = 1024;

const SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

export function parseAdtsHeader(data: Uint8Array): AudioFormat | null {
  for (let i = 0; i + 7 <= data.length; i++) {
    if (data[i] !== 0xff || (data[i + 1] & 0xf6) !== 0xf0) continue;
    const objectType = ((data[i + 2] >> 6) & 0x03) + 1;
    const rateIndex = (data[i + 2] >> 2) & 0x0f;
    const channels = ((data[i + 2] & 0x01) << 2) | (data[i + 3] >> 6);
    if (rateIndex >= SAMPLE_RATES.length) return null;
    const specificConfig = Uint8Array.of((objectType << 3) | (rateIndex >> 1), ((rateIndex & 1) << 7) | (channels << 3));
    return { codecs: `mp4a.40.${objectType}`, sampleRate: SAMPLE_RATES[rateIndex], channels, specificConfig };
  }
  return null;
}

/** One ADTS frame in `data` at `at`: where its raw AAC payload starts and ends, and its sample rate. */
export interface AdtsFrame {
  payloadAt: number;
  end: number;
  sampleRate: number;
}

/** The ADTS frame starting exactly at `at` (syncword, length within the data), or null. */
export function adtsFrameAt(data: Uint8Array, at: number): AdtsFrame | null {
  if (at + 7 > data.length || data[at] !== 0xff || (data[at + 1] & 0xf6) !== 0xf0) return null;
  const rateIndex = (data[at + 2] >> 2) & 0x0f;
  if (rateIndex >= SAMPLE_RATES.length) return null;
  const headerLength = data[at + 1] & 0x01 ? 7 : 9; // protection_absent = 0 adds a 16-bit CRC
  const frameLength = ((data[at + 3] & 0x03) << 11) | (data[at + 4] << 3) | (data[at + 5] >> 5);
  if (frameLength < headerLength || at + frameLength > data.length) return null;
  return { payloadAt: at + headerLength, end: at + frameLength, sampleRate: SAMPLE_RATES[rateIndex] };
}
