// A tiny capture format for UDP fixtures, so interop tests replay real encoder output without
// the encoders: "HLSCAP1\n", then per datagram: u8 stream (0 media, 1 column FEC, 2 row FEC,
// 3 RTCP), u32 arrival microseconds since the first datagram, u16 length, the bytes.

export const CAPTURE_MAGIC = 'HLSCAP1\n';

export type CaptureStream = 'media' | 'column' | 'row' | 'rtcp';
const STREAMS: CaptureStream[] = ['media', 'column', 'row', 'rtcp'];

export interface CapturedDatagram {
  stream: CaptureStream;
  atUs: number;
  bytes: Uint8Array;
}

export function encodeCapture(datagrams: CapturedDatagram[]): Buffer {
  const parts = [Buffer.from(CAPTURE_MAGIC, 'latin1')];
  for (const d of datagrams) {
    const head = Buffer.alloc(7);
    head.writeUInt8(STREAMS.indexOf(d.stream), 0);
    head.writeUInt32BE(Math.max(0, Math.round(d.atUs)), 1);
    head.writeUInt16BE(d.bytes.length, 5);
    parts.push(head, Buffer.from(d.bytes));
  }
  return Buffer.concat(parts);
}

export function decodeCapture(file: Buffer): CapturedDatagram[] {
  if (file.subarray(0, CAPTURE_MAGIC.length).toString('latin1') !== CAPTURE_MAGIC) throw new Error('not an HLSCAP1 capture');
  const out: CapturedDatagram[] = [];
  let at = CAPTURE_MAGIC.length;
  while (at < file.length) {
    const stream = STREAMS[file.readUInt8(at)];
    const atUs = file.readUInt32BE(at + 1);
    const length = file.readUInt16BE(at + 5);
    if (!stream || at + 7 + length > file.length) throw new Error(`corrupt capture at byte ${at}`);
    out.push({ stream, atUs, bytes: new Uint8Array(file.subarray(at + 7, at + 7 + length)) });
    at += 7 + length;
  }
  return out;
}
