import { MAX_DATAGRAM, RTP_HEADER } from './limits';

// The fields of the last header parsed; read right after parseRtp().
export let rtpMarker: i32 = 0;
export let rtpPayloadType: i32 = 0;
export let rtpSequence: i32 = 0;
export let rtpTimestamp: u32 = 0;
export let rtpSsrc: u32 = 0;
export let rtpPayloadOffset: i32 = 0;
export let rtpPayloadLength: i32 = 0;

export const RTP_OK: i32 = 0;
export const RTP_TOO_SHORT: i32 = -1;
export const RTP_BAD_VERSION: i32 = -2;
export const RTP_BAD_CSRC: i32 = -3;
export const RTP_BAD_EXTENSION: i32 = -4;
export const RTP_BAD_PADDING: i32 = -5;
export const RTP_TOO_LONG: i32 = -6;

@inline function u16at(ptr: usize): i32 {
  return (<i32>load<u8>(ptr) << 8) | <i32>load<u8>(ptr, 1);
}

@inline export function u32at(ptr: usize): u32 {
  return (<u32>load<u8>(ptr) << 24) | (<u32>load<u8>(ptr, 1) << 16) | (<u32>load<u8>(ptr, 2) << 8) | <u32>load<u8>(ptr, 3);
}

/**
 * Parses and validates an RTP header (RFC 3550 5.1): version 2, the CSRC list, the header
 * extension and the padding must all fit inside `len`. Never reads past ptr + len.
 */
export function parseRtp(ptr: usize, len: i32): i32 {
  if (len > MAX_DATAGRAM) return RTP_TOO_LONG;
  if (len < RTP_HEADER) return RTP_TOO_SHORT;
  const b0 = <i32>load<u8>(ptr);
  if (b0 >> 6 != 2) return RTP_BAD_VERSION;
  const csrcCount = b0 & 0x0f;
  let offset = RTP_HEADER + 4 * csrcCount;
  if (offset > len) return RTP_BAD_CSRC;
  if (b0 & 0x10) {
    if (offset + 4 > len) return RTP_BAD_EXTENSION;
    offset += 4 + 4 * u16at(ptr + <usize>offset + 2);
    if (offset > len) return RTP_BAD_EXTENSION;
  }
  let end = len;
  if (b0 & 0x20) {
    const padding = <i32>load<u8>(ptr + <usize>len - 1);
    if (padding == 0 || offset + padding > len) return RTP_BAD_PADDING;
    end -= padding;
  }
  const b1 = <i32>load<u8>(ptr, 1);
  rtpMarker = b1 >> 7;
  rtpPayloadType = b1 & 0x7f;
  rtpSequence = u16at(ptr + 2);
  rtpTimestamp = u32at(ptr + 4);
  rtpSsrc = u32at(ptr + 8);
  rtpPayloadOffset = offset;
  rtpPayloadLength = end - offset;
  return RTP_OK;
}

/** Writes a 12-byte RTP header: V=2 with the given P/X/CC bits, marker and PT byte, seq, ts, SSRC. */
export function writeRtpHeader(dst: usize, bits0: i32, markerAndType: i32, seq: i32, timestamp: u32, ssrc: u32): void {
  store<u8>(dst, <u8>(0x80 | (bits0 & 0x3f)));
  store<u8>(dst, <u8>markerAndType, 1);
  store<u8>(dst, <u8>(seq >> 8), 2);
  store<u8>(dst, <u8>seq, 3);
  store<u32>(dst + 4, bswap<u32>(timestamp));
  store<u32>(dst + 8, bswap<u32>(ssrc));
}
