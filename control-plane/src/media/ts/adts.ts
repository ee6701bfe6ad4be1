/** AAC in ADTS (ISO/IEC 13818-7 / 14496-3 1.A.2): the codec string and sample rate from the first header. */
export interface AudioFormat {
  codecs: string;
  sampleRate: number;
  channels: number;
}

const SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

export function parseAdtsHeader(data: Uint8Array): AudioFormat | null {
  for (let i = 0; i + 7 <= data.length; i++) {
    if (data[i] !== 0xff || (data[i + 1] & 0xf6) !== 0xf0) continue;
    const objectType = ((data[i + 2] >> 6) & 0x03) + 1;
    const rateIndex = (data[i + 2] >> 2) & 0x0f;
    const channels = ((data[i + 2] & 0x01) << 2) | (data[i + 3] >> 6);
    if (rateIndex >= SAMPLE_RATES.length) return null;
    return { codecs: `mp4a.40.${objectType}`, sampleRate: SAMPLE_RATES[rateIndex], channels };
  }
  return null;
}
