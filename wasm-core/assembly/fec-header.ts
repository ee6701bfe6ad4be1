import { FEC_HEADER, MAX_DATAGRAM, RTP_HEADER } from './limits';
import { u32at } from './rtp';

// SMPTE 2022-1 FEC header fields of the last packet parsed (the 16 bytes after the RTP header); read right after parseFecHeader().
export let parsedSnBase: i32 = 0;
export let parsedIsRow: bool = false;
export let parsedOffset: i32 = 0;
export let parsedCount: i32 = 0;

export const FEC_OK: i32 = 0;
export const FEC_MALFORMED: i32 = -1;

/**
 * Validates a FEC datagram and reads the fields that place it. The FEC header always starts at
 * byte 12: encoders copy XOR'd CC/X/P bits into the FEC packet's own RTP header (SMPTE 2022-1), so
 * those bits are not interpreted. Only XOR (type 0, index 0) is accepted.
 */
export function parseFecHeader(ptr: usize, len: i32): i32 {
  if (len < RTP_HEADER + FEC_HEADER || len > MAX_DATAGRAM || (<i32>load<u8>(ptr)) >> 6 != 2) return FEC_MALFORMED;
  const fec = ptr + <usize>RTP_HEADER;
  const flags = <i32>load<u8>(fec, 12);
  if ((flags >> 3) & 7 || flags & 7) return FEC_MALFORMED;
  parsedIsRow = ((flags >> 6) & 1) == 1;
  parsedOffset = <i32>load<u8>(fec, 13);
  parsedCount = <i32>load<u8>(fec, 14);
  parsedSnBase = ((<i32>load<u8>(fec)) << 8) | <i32>load<u8>(fec, 1);
  return FEC_OK;
}

/** Length recovery field of a stored FEC packet. */
@inline export function lengthRecovery(ptr: usize): i32 {
  return ((<i32>load<u8>(ptr, RTP_HEADER + 2)) << 8) | <i32>load<u8>(ptr, RTP_HEADER + 3);
}

/** PT recovery field (the E bit masked off). */
@inline export function payloadTypeRecovery(ptr: usize): i32 {
  return (<i32>load<u8>(ptr, RTP_HEADER + 4)) & 0x7f;
}

/** TS recovery field. */
@inline export function timestampRecovery(ptr: usize): u32 {
  return u32at(ptr + RTP_HEADER + 8);
}
