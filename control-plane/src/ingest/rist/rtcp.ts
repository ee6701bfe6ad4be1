// RTCP as a RIST Simple Profile receiver speaks it (VSF TR-06-1): what the sender sends (sender
// reports, SDES, RIST's RTT echo requests in APP packets) read, and what the receiver answers
// with built (receiver report, SDES CNAME, RFC 4585 generic NACKs, echo responses), as one compound
// packet (RFC 3550 6.1: every compound packet starts with a report and carries an SDES CNAME).
// Malformed input is reported as null, never thrown: the caller counts and drops it.

const RTCP_VERSION = 2;
export const PT_SR = 200;
export const PT_RR = 201;
export const PT_SDES = 202;
export const PT_APP = 204;
/** RFC 4585 6.1: transport-layer feedback; FMT 1 is the generic NACK. */
export const PT_RTPFB = 205;
const FMT_GENERIC_NACK = 1;
const SDES_CNAME = 1;
/** TR-06-1's APP name, and its subtypes for the round-trip echo (librist sends requests as a sender). */
const RIST_APP_NAME = 0x52495354; // "RIST"
export const RIST_ECHO_REQUEST = 2;
export const RIST_ECHO_RESPONSE = 3;

export type RtcpPacket =
  | { type: 'sr'; ssrc: number; ntpSeconds: number; ntpFraction: number; rtpTimestamp: number }
  | { type: 'rr'; ssrc: number }
  | { type: 'sdes'; ssrc: number; cname: string | null }
  | { type: 'echo-request'; ssrc: number; timestampHigh: number; timestampLow: number }
  | { type: 'echo-response'; ssrc: number; timestampHigh: number; timestampLow: number; processingDelay: number }
  | { type: 'nack'; senderSsrc: number; mediaSsrc: number; fci: number[] }
  | { type: 'other'; packetType: number };

/** The packets of a compound RTCP datagram; null when any header or length is wrong. */
export function parseRtcp(datagram: Uint8Array): RtcpPacket[] | null {
  const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  const packets: RtcpPacket[] = [];
  let at = 0;
  while (at < datagram.length) {
    if (at + 4 > datagram.length || datagram[at] >> 6 !== RTCP_VERSION) return null;
    const count = datagram[at] & 0x1f;
    const packetType = datagram[at + 1];
    const length = (view.getUint16(at + 2) + 1) * 4;
    if (at + length > datagram.length || length < 8) return null;
    const ssrc = view.getUint32(at + 4);
    if (packetType === PT_SR && length >= 28) {
      packets.push({ type: 'sr', ssrc, ntpSeconds: view.getUint32(at + 8), ntpFraction: view.getUint32(at + 12), rtpTimestamp: view.getUint32(at + 16) });
    } else if (packetType === PT_RR) {
      packets.push({ type: 'rr', ssrc });
    } else if (packetType === PT_SDES) {
      packets.push({ type: 'sdes', ssrc, cname: count > 0 ? cnameOf(datagram.subarray(at + 8, at + length)) : null });
    } else if (
      packetType === PT_APP &&
      length >= 24 &&
      view.getUint32(at + 8) === RIST_APP_NAME &&
      (count === RIST_ECHO_REQUEST || count === RIST_ECHO_RESPONSE)
    ) {
      const timestampHigh = view.getUint32(at + 12);
      const timestampLow = view.getUint32(at + 16);
      packets.push(
        count === RIST_ECHO_REQUEST
          ? { type: 'echo-request', ssrc, timestampHigh, timestampLow }
          : { type: 'echo-response', ssrc, timestampHigh, timestampLow, processingDelay: view.getUint32(at + 20) },
      );
    } else if (packetType === PT_RTPFB && count === FMT_GENERIC_NACK && length >= 12) {
      const fci: number[] = [];
      for (let word = at + 12; word < at + length; word += 4) fci.push(view.getUint32(word));
      packets.push({ type: 'nack', senderSsrc: ssrc, mediaSsrc: view.getUint32(at + 8), fci });
    } else {
      packets.push({ type: 'other', packetType });
    }
    at += length;
  }
  return packets.length > 0 ? packets : null;
}

/** The CNAME item of an SDES chunk (items after the SSRC); null when there is none. */
function cnameOf(items: Uint8Array): string | null {
  for (let at = 0; at + 2 <= items.length && items[at] !== 0; at += 2 + items[at + 1]) {
    if (items[at] === SDES_CNAME && at + 2 + items[at + 1] <= items.length)
      return Buffer.from(items.subarray(at + 2, at + 2 + items[at + 1])).toString('latin1');
  }
  return null;
}

export interface ReceiverReportParts {
  /** This receiver's SSRC and CNAME. */
  ssrc: number;
  cname: string;
  /** Retransmission requests for the sender's media SSRC: FCI words (PID << 16) | BLP. */
  nack?: { mediaSsrc: number; fci: ArrayLike<number> };
  /** The answer to the sender's last RTT echo request (its timestamp, and how long we held it, in the sender's units). */
  echoResponse?: { timestampHigh: number; timestampLow: number; processingDelay: number };
  /** Our own RTT echo request (the sender answers with the timestamp: the round trip). */
  echoRequest?: { timestampHigh: number; timestampLow: number };
}

/** One compound packet: an empty receiver report, SDES CNAME, then the NACK and the echo response if any. */
export function buildReceiverReport(parts: ReceiverReportParts): Buffer {
  const cname = Buffer.from(parts.cname.slice(0, 255), 'latin1');
  // SDES: header, SSRC, CNAME item (type, length, text), a zero item ending the list, padding to 32 bits.
  const sdesLength = 8 + Math.ceil((2 + cname.length + 1) / 4) * 4;
  const nackLength = parts.nack && parts.nack.fci.length > 0 ? 12 + 4 * parts.nack.fci.length : 0;
  const echoLength = (parts.echoResponse ? 24 : 0) + (parts.echoRequest ? 24 : 0);
  const out = Buffer.alloc(8 + sdesLength + nackLength + echoLength);
  let at = header(out, 0, 0, PT_RR, 8, parts.ssrc);
  const sdes = at;
  at = header(out, at, 1, PT_SDES, sdesLength, parts.ssrc);
  out[at] = SDES_CNAME;
  out[at + 1] = cname.length;
  cname.copy(out, at + 2);
  at = sdes + sdesLength;
  if (nackLength > 0) {
    at = header(out, at, FMT_GENERIC_NACK, PT_RTPFB, nackLength, parts.ssrc);
    out.writeUInt32BE(parts.nack!.mediaSsrc >>> 0, at);
    at += 4;
    for (let i = 0; i < parts.nack!.fci.length; i++, at += 4) out.writeUInt32BE(parts.nack!.fci[i] >>> 0, at);
  }
  if (parts.echoResponse) at = echo(out, at, parts.ssrc, RIST_ECHO_RESPONSE, parts.echoResponse, parts.echoResponse.processingDelay);
  if (parts.echoRequest) at = echo(out, at, parts.ssrc, RIST_ECHO_REQUEST, parts.echoRequest, 0);
  return out;
}

/** A RIST APP echo packet (request or response): name, the 64-bit timestamp, the processing delay. */
function echo(out: Buffer, at: number, ssrc: number, subtype: number, time: { timestampHigh: number; timestampLow: number }, delay: number): number {
  at = header(out, at, subtype, PT_APP, 24, ssrc);
  out.writeUInt32BE(RIST_APP_NAME, at);
  out.writeUInt32BE(time.timestampHigh >>> 0, at + 4);
  out.writeUInt32BE(time.timestampLow >>> 0, at + 8);
  out.writeUInt32BE(delay >>> 0, at + 12);
  return at + 16;
}

/** Writes an RTCP header and the SSRC after it; returns where the body starts. */
function header(out: Buffer, at: number, count: number, packetType: number, length: number, ssrc: number): number {
  out[at] = (RTCP_VERSION << 6) | count;
  out[at + 1] = packetType;
  out.writeUInt16BE(length / 4 - 1, at + 2);
  out.writeUInt32BE(ssrc >>> 0, at + 4);
  return at + 8;
}
