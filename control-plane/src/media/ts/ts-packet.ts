// MPEG-TS transport packet fields (ISO/IEC 13818-1 2.4.3.2), read without allocating.

export const TS_PACKET_SIZE = 188;
export const SYNC_BYTE = 0x47;
export const PAT_PID = 0x0000;
export const NULL_PID = 0x1fff;

/** Packet identifier: 13 bits across bytes 1-2. */
export function pidOf(p: Uint8Array, at = 0): number {
  return ((p[at + 1] & 0x1f) << 8) | p[at + 2];
}

/** payload_unit_start_indicator: a PES or PSI section begins in this packet. */
export function isUnitStart(p: Uint8Array, at = 0): boolean {
  return (p[at + 1] & 0x40) !== 0;
}

export function continuityCounter(p: Uint8Array, at = 0): number {
  return p[at + 3] & 0x0f;
}

/** adaptation_field_control bit 1 (0x20): an adaptation field is present. */
export function hasAdaptationField(p: Uint8Array, at = 0): boolean {
  return (p[at + 3] & 0x20) !== 0;
}

/** adaptation_field_control bit 0 (0x10): a payload is present (and the CC counts). */
export function hasPayload(p: Uint8Array, at = 0): boolean {
  return (p[at + 3] & 0x10) !== 0;
}

/** Offset of the payload inside the packet, or -1 when the adaptation field claims too much. */
export function payloadOffset(p: Uint8Array, at = 0): number {
  if (!hasAdaptationField(p, at)) return 4;
  const length = p[at + 4];
  const offset = 5 + length;
  return offset > TS_PACKET_SIZE ? -1 : offset;
}

/** Adaptation field flags byte, or 0 when there is none or it is empty. */
function adaptationFlags(p: Uint8Array, at: number): number {
  return hasAdaptationField(p, at) && p[at + 4] > 0 ? p[at + 5] : 0;
}

/** random_access_indicator: the PES starting here begins at a random access point (by the muxer's word). */
export function randomAccessIndicator(p: Uint8Array, at = 0): boolean {
  return (adaptationFlags(p, at) & 0x40) !== 0;
}

/** discontinuity_indicator: continuity counters and time bases may restart here. */
export function discontinuityIndicator(p: Uint8Array, at = 0): boolean {
  return (adaptationFlags(p, at) & 0x80) !== 0;
}

/** PCR base (90 kHz, 33 bits) when the packet carries one, else -1. */
export function pcrBase(p: Uint8Array, at = 0): number {
  if (!(adaptationFlags(p, at) & 0x10) || p[at + 4] < 7) return -1;
  const b = at + 6;
  return p[b] * 2 ** 25 + p[b + 1] * 2 ** 17 + p[b + 2] * 2 ** 9 + p[b + 3] * 2 + (p[b + 4] >> 7);
}

/** Rewrites the continuity counter in place. */
export function setContinuityCounter(p: Uint8Array, cc: number, at = 0): void {
  p[at + 3] = (p[at + 3] & 0xf0) | (cc & 0x0f);
}
