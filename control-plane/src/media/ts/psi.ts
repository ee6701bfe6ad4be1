// PAT and PMT sections (ISO/IEC 13818-1 2.4.4), from one TS packet's payload. HLS segments carry a
// single program whose tables fit one packet; a table spread over packets is reported, not guessed.

export const STREAM_TYPE = {
  mpeg1Audio: 0x03,
  mpeg2Audio: 0x04,
  aacAdts: 0x0f,
  h264: 0x1b,
  hevc: 0x24,
  id3: 0x15,
} as const;

export interface ElementaryStream {
  pid: number;
  streamType: number;
}

export interface ProgramMap {
  version: number;
  pcrPid: number;
  streams: ElementaryStream[];
}

/** The section that starts in `payload` (after pointer_field), bounds-checked, or null. */
function section(payload: Uint8Array): Uint8Array | null {
  if (payload.length < 1) return null;
  const start = 1 + payload[0];
  if (start + 3 > payload.length) return null;
  const length = ((payload[start + 1] & 0x0f) << 8) | payload[start + 2];
  const end = start + 3 + length;
  if (end > payload.length || length < 9) return null;
  return payload.subarray(start, end);
}

/** The PMT PID of the first program (program_number 0 is the NIT and is skipped). */
export function parsePat(payload: Uint8Array): number | null {
  const s = section(payload);
  if (!s || s[0] !== 0x00) return null;
  for (let at = 8; at + 4 <= s.length - 4; at += 4) {
    const program = (s[at] << 8) | s[at + 1];
    if (program !== 0) return ((s[at + 2] & 0x1f) << 8) | s[at + 3];
  }
  return null;
}

export function parsePmt(payload: Uint8Array): ProgramMap | null {
  const s = section(payload);
  if (!s || s[0] !== 0x02) return null;
  const version = (s[5] >> 1) & 0x1f;
  const pcrPid = ((s[8] & 0x1f) << 8) | s[9];
  const infoLength = ((s[10] & 0x0f) << 8) | s[11];
  const streams: ElementaryStream[] = [];
  let at = 12 + infoLength;
  const end = s.length - 4; // before CRC_32
  while (at + 5 <= end) {
    const streamType = s[at];
    const pid = ((s[at + 1] & 0x1f) << 8) | s[at + 2];
    const esInfoLength = ((s[at + 3] & 0x0f) << 8) | s[at + 4];
    streams.push({ pid, streamType });
    at += 5 + esInfoLength;
  }
  return { version, pcrPid, streams };
}
