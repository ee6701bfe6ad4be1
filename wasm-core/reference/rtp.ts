import { MAX_DATAGRAM, RTP_HEADER } from '../shared-limits.js';

/** RFC 3550 5.1 header fields, or a reason the datagram is not RTP. Readable, not fast. */
export interface RtpHeader {
  padding: boolean;
  extension: boolean;
  csrcCount: number;
  marker: number;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payloadOffset: number;
  payloadLength: number;
}

export function parseRtpHeader(packet: Uint8Array): RtpHeader | null {
  if (packet.length > MAX_DATAGRAM || packet.length < RTP_HEADER) return null;
  const version = packet[0] >> 6;
  if (version !== 2) return null;
  const csrcCount = packet[0] & 0x0f;
  const extension = (packet[0] & 0x10) !== 0;
  const padding = (packet[0] & 0x20) !== 0;
  let offset = RTP_HEADER + 4 * csrcCount;
  if (offset > packet.length) return null;
  if (extension) {
    if (offset + 4 > packet.length) return null;
    const words = (packet[offset + 2] << 8) | packet[offset + 3];
    offset += 4 + 4 * words;
    if (offset > packet.length) return null;
  }
  let end = packet.length;
  if (padding) {
    const count = packet[packet.length - 1];
    if (count === 0 || offset + count > packet.length) return null;
    end -= count;
  }
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  return {
    padding,
    extension,
    csrcCount,
    marker: packet[1] >> 7,
    payloadType: packet[1] & 0x7f,
    sequence: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    payloadOffset: offset,
    payloadLength: end - offset,
  };
}

/** Signed distance from a to b on the 16-bit sequence circle. */
export function sequenceDistance(a: number, b: number): number {
  const d = (b - a) & 0xffff;
  return d >= 0x8000 ? d - 0x10000 : d;
}
