/** Builders for RTP/MPEG-TS media packets and SMPTE 2022-1 FEC packets, as FFmpeg's prompeg makes them. */

export interface MediaPacketSpec {
  seq: number;
  timestamp: number;
  ssrc: number;
  payload: Uint8Array;
  marker?: number;
  payloadType?: number;
}

export function mediaPacket(spec: MediaPacketSpec): Uint8Array {
  const packet = new Uint8Array(12 + spec.payload.length);
  const view = new DataView(packet.buffer);
  packet[0] = 0x80;
  packet[1] = ((spec.marker ?? 0) << 7) | (spec.payloadType ?? 33);
  view.setUint16(2, spec.seq & 0xffff);
  view.setUint32(4, spec.timestamp >>> 0);
  view.setUint32(8, spec.ssrc >>> 0);
  packet.set(spec.payload, 12);
  return packet;
}

/**
 * One FEC packet over `protectedPackets` (full RTP packets): XOR of everything after the 12-byte
 * header, of the lengths, PTs, timestamps and header bits (SMPTE 2022-1: the FEC packet's RTP header and its 16-byte FEC header).
 */
export function fecPacket(protectedPackets: Uint8Array[], isRow: boolean, step: number, fecSeq: number): Uint8Array {
  const longest = Math.max(...protectedPackets.map((p) => p.length - 12));
  const packet = new Uint8Array(12 + 16 + longest);
  const view = new DataView(packet.buffer);
  let lengthRecovery = 0;
  let ptRecovery = 0;
  let tsRecovery = 0;
  let bits0 = 0;
  let marker = 0;
  for (const p of protectedPackets) {
    lengthRecovery ^= p.length - 12;
    ptRecovery ^= p[1] & 0x7f;
    tsRecovery = (tsRecovery ^ new DataView(p.buffer, p.byteOffset).getUint32(4)) >>> 0;
    bits0 ^= p[0] & 0x3f;
    marker ^= p[1] & 0x80;
    for (let i = 12; i < p.length; i++) packet[28 + i - 12] ^= p[i];
  }
  packet[0] = 0x80 | bits0;
  packet[1] = marker | 96;
  view.setUint16(2, fecSeq & 0xffff);
  view.setUint32(4, new DataView(protectedPackets[0].buffer, protectedPackets[0].byteOffset).getUint32(4));
  view.setUint32(8, 0);
  view.setUint16(12, new DataView(protectedPackets[0].buffer, protectedPackets[0].byteOffset).getUint16(2));
  view.setUint16(14, lengthRecovery);
  packet[16] = 0x80 | ptRecovery;
  view.setUint32(20, tsRecovery);
  packet[24] = isRow ? 0x40 : 0x00;
  packet[25] = isRow ? 1 : step;
  packet[26] = protectedPackets.length;
  packet[27] = 0;
  return packet;
}

/** Row FEC for every complete row and column FEC for every complete matrix of `packets`. */
export function fecFor(packets: Uint8Array[], columns: number, rows: number): { rows: Uint8Array[]; columns: Uint8Array[] } {
  const rowFec: Uint8Array[] = [];
  const columnFec: Uint8Array[] = [];
  for (let r = 0; (r + 1) * columns <= packets.length; r++) rowFec.push(fecPacket(packets.slice(r * columns, (r + 1) * columns), true, 1, r));
  const matrix = columns * rows;
  for (let m = 0; (m + 1) * matrix <= packets.length; m++) {
    for (let c = 0; c < columns; c++) {
      const column = Array.from({ length: rows }, (_, r) => packets[m * matrix + r * columns + c]);
      columnFec.push(fecPacket(column, false, columns, m * columns + c));
    }
  }
  return { rows: rowFec, columns: columnFec };
}
