// SMPTE 2022-1 FEC of one receiver: the FEC packets held (parallel arrays of FEC_ENTRIES), and
// XOR recovery of a missing media packet from an entry and the other packets it protects.
import { FEC_ENTRIES, FEC_HEADER, MAX_DATAGRAM, RTP_HEADER } from './limits';
import { lengthRecovery, payloadTypeRecovery, timestampRecovery } from './fec-header';
import { i32at, i64at, setI32, setI64 } from './memory';
import { parseRtp, RTP_OK, rtpPayloadLength, rtpPayloadOffset, u32at, writeRtpHeader } from './rtp';
import * as Slots from './slots';
import * as S from './stats';
import { xorInto } from './xor';

let fecSlot: usize = 0; // i32, -1 free
let fecBase: usize = 0; // i64 extended SNBase
let fecStep: usize = 0; // i32 offset (L for columns, 1 for rows)
let fecCount: usize = 0; // i32 NA
/** Something changed since the last recovery pass (a packet or an FEC packet arrived). */
export let fecDirty: bool = false;

export function allocFec(): void {
  fecSlot = heap.alloc(<usize>FEC_ENTRIES << 2);
  fecBase = heap.alloc(<usize>FEC_ENTRIES << 3);
  fecStep = heap.alloc(<usize>FEC_ENTRIES << 2);
  fecCount = heap.alloc(<usize>FEC_ENTRIES << 2);
  for (let i = 0; i < FEC_ENTRIES; i++) setI32(fecSlot, i, -1);
}

/** Holds the FEC packet in `slot` (its length already set) in `entry` (from reserveEntry) for packets base, base + step, ... */
export function storeFec(entry: i32, slot: i32, base: i64, step: i32, count: i32, now: f64, ssrc: u32): void {
  setI32(fecSlot, entry, slot);
  setI64(fecBase, entry, base);
  setI32(fecStep, entry, step);
  setI32(fecCount, entry, count);
  tryEntry(entry, now, ssrc);
  fecDirty = true;
}

/** Forgets every FEC packet held (a new sender). */
export function dropAllFec(): void {
  for (let e = 0; e < FEC_ENTRIES; e++) if (i32at(fecSlot, e) >= 0) dropEntry(e);
  fecDirty = false;
}

function dropEntry(entry: i32): void {
  Slots.pushFree(i32at(fecSlot, entry));
  setI32(fecSlot, entry, -1);
}

/** A free FEC entry: prunes entries that protect only released packets, else evicts the oldest. */
export function reserveEntry(): i32 {
  let free = -1;
  let oldest = -1;
  for (let e = 0; e < FEC_ENTRIES; e++) {
    if (i32at(fecSlot, e) < 0) {
      if (free < 0) free = e;
      continue;
    }
    const last = i64at(fecBase, e) + <i64>((i32at(fecCount, e) - 1) * i32at(fecStep, e));
    if (last < Slots.nextSeq) {
      dropEntry(e);
      if (free < 0) free = e;
    } else if (oldest < 0 || i64at(fecBase, e) < i64at(fecBase, oldest)) {
      oldest = e;
    }
  }
  if (free >= 0) return free;
  dropEntry(oldest);
  return oldest;
}

/**
 * Tries one FEC entry: nothing missing -> drop it; exactly one missing and still wanted ->
 * rebuild it; more -> keep for later. Returns true when it recovered a packet.
 */
function tryEntry(entry: i32, now: f64, ssrc: u32): bool {
  const base = i64at(fecBase, entry);
  const step = i32at(fecStep, entry);
  const count = i32at(fecCount, entry);
  let missing = 0;
  let missingSeq: i64 = 0;
  for (let i = 0; i < count; i++) {
    const ext = base + <i64>(i * step);
    if (Slots.slotOf(ext) >= 0) continue;
    // Not due yet: FEC may arrive before the packets it protects (GStreamer sends a row's FEC
    // before its last packet; ports are not ordered). Rebuilding now would only make a duplicate.
    if (ext > Slots.highestSeq) return false;
    if (ext < Slots.nextSeq) {
      // Given up already, or released and evicted: this entry cannot help any more.
      dropEntry(entry);
      return false;
    }
    missing++;
    missingSeq = ext;
    if (missing > 1) return false;
  }
  if (missing == 0) {
    dropEntry(entry);
    return false;
  }
  const ok = rebuild(entry, missingSeq, now, ssrc);
  dropEntry(entry);
  return ok;
}

/** XOR recovery of `ext` from FEC entry `entry` and the other packets it protects (SMPTE 2022-1 XOR recovery). */
function rebuild(entry: i32, ext: i64, now: f64, ssrc: u32): bool {
  const slot = Slots.popFree();
  if (slot < 0) {
    S.bump(S.STAT_OVERFLOW);
    return false;
  }
  const fecPtr = Slots.slotPtr(i32at(fecSlot, entry));
  const fecPayloadLen = Slots.slotLength(i32at(fecSlot, entry)) - RTP_HEADER - FEC_HEADER;
  let length = lengthRecovery(fecPtr);
  let pt = payloadTypeRecovery(fecPtr);
  let ts = timestampRecovery(fecPtr);
  let bits0 = (<i32>load<u8>(fecPtr)) & 0x3f;
  let marker = (<i32>load<u8>(fecPtr, 1)) & 0x80;
  const base = i64at(fecBase, entry);
  const step = i32at(fecStep, entry);
  const count = i32at(fecCount, entry);
  for (let i = 0; i < count; i++) {
    const other = Slots.slotOf(base + <i64>(i * step));
    if (other < 0) continue;
    const p = Slots.slotPtr(other);
    length ^= Slots.slotLength(other) - RTP_HEADER;
    bits0 ^= (<i32>load<u8>(p)) & 0x3f;
    marker ^= (<i32>load<u8>(p, 1)) & 0x80;
    pt ^= (<i32>load<u8>(p, 1)) & 0x7f;
    ts ^= u32at(p + 4);
  }
  length &= 0xffff;
  if (length > fecPayloadLen || RTP_HEADER + length > MAX_DATAGRAM) {
    Slots.pushFree(slot);
    S.bump(S.STAT_FEC_FAILED);
    return false;
  }
  const dst = Slots.slotPtr(slot);
  memory.copy(dst + <usize>RTP_HEADER, fecPtr + <usize>(RTP_HEADER + FEC_HEADER), <usize>length);
  for (let i = 0; i < count; i++) {
    const other = Slots.slotOf(base + <i64>(i * step));
    if (other < 0) continue;
    const otherLen = Slots.slotLength(other) - RTP_HEADER;
    xorInto(dst + <usize>RTP_HEADER, Slots.slotPtr(other) + <usize>RTP_HEADER, otherLen < length ? otherLen : length);
  }
  writeRtpHeader(dst, bits0, marker | pt, <i32>(ext & 0xffff), ts, ssrc);
  if (parseRtp(dst, RTP_HEADER + length) != RTP_OK) {
    Slots.pushFree(slot);
    S.bump(S.STAT_FEC_FAILED);
    return false;
  }
  Slots.setSlotLength(slot, RTP_HEADER + length);
  Slots.place(ext, slot, now, Slots.FLAG_RECOVERED, rtpPayloadOffset, rtpPayloadLength);
  S.bump(S.STAT_RECOVERED);
  return true;
}

/** Row and column passes until nothing more can be rebuilt: each success may complete another. */
export function recoverAll(now: f64, ssrc: u32): void {
  fecDirty = false;
  let progress = true;
  while (progress) {
    progress = false;
    for (let e = 0; e < FEC_ENTRIES; e++) {
      if (i32at(fecSlot, e) >= 0 && tryEntry(e, now, ssrc)) progress = true;
    }
  }
}
