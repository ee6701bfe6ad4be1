// The per-stream receive path: RTP parse -> sequence extension -> jitter -> reorder/playout
// buffer -> SMPTE 2022-1 FEC recovery. One receiver per instance; all memory is allocated once
// in initReceiver() and nothing is allocated per packet.
//
// Host contract (see wasm-core/host/receiver.ts):
// - the host copies each datagram to control[CTRL_INPUT] and calls pushMedia/pushFec(len, nowUs);
// - released packets are listed in the control block (payload pointer, length, extended sequence
//   low 32 bits, flags) and stay readable until the next call;
// - tick(nowUs) releases what is due when no packets arrive.
import { FEC_ENTRIES, FEC_HEADER, MAX_DATAGRAM, nextPowerOfTwo, RTP_CLOCK_RATE, RTP_HEADER, SLOT_BYTES } from './limits';
import {
  FEC_OK, parsedCount, parsedIsRow, parsedOffset, parsedSnBase, lengthRecovery, parseFecHeader, payloadTypeRecovery, timestampRecovery,
} from './fec-header';
import { parseRtp, RTP_OK, rtpPayloadLength, rtpPayloadOffset, rtpPayloadType, rtpSequence, rtpSsrc, rtpTimestamp, u32at, writeRtpHeader } from './rtp';
import { extMax, maxSeq, resetSequence, SEQ_JUMP, SEQ_RESTART, seqDelta, updateSequence } from './sequence';
import { jitterUnits, resetJitter, updateJitter } from './jitter';
import { f64at, i32at, i64at, setF64, setI32, setI64 } from './memory';
import * as S from './stats';
import { xorInto } from './xor';

export const FLAG_RECOVERED: i32 = 1;
/** Released packets remembered without FEC, to recognise duplicates. */
const DUPLICATE_HISTORY: i32 = 64;

// Control block words (i32).
const CTRL_INPUT: i32 = 0;
const CTRL_RELEASE_COUNT: i32 = 1;
const CTRL_ENTRIES: i32 = 4;
const ENTRY_WORDS: i32 = 4;

// --- configuration -------------------------------------------------------------------------
let columns: i32 = 0; // L; 0 = no FEC
let rows: i32 = 0; // D
let payloadType: i32 = 33; // -1 accepts any
let clockRate: f64 = <f64>RTP_CLOCK_RATE;
let minDelayUs: f64 = 0;
let maxDelayUs: f64 = 0;
/** Packets kept after release, so a late column FEC can still XOR them (one matrix + a row). */
let retain: i32 = 0;
/** Packets that may wait behind a gap before the oldest gap is given up regardless of time. */
let pendingCap: i32 = 0;
let windowSize: i32 = 0;
let windowMask: i64 = 0;
let poolSize: i32 = 0;

// --- memory --------------------------------------------------------------------------------
let pool: usize = 0;
let slotExt: usize = 0; // i64 per slot
let slotArrival: usize = 0; // f64 per slot
let slotLen: usize = 0; // i32 per slot: whole packet
let slotPayloadOffset: usize = 0; // i32
let slotPayloadLen: usize = 0; // i32
let slotFlags: usize = 0; // i32
let ring: usize = 0; // i32 slot per window cell, -1 empty
let freeStack: usize = 0; // i32
let freeTop: i32 = 0;
let deferred: usize = 0; // i32 slots to free at the next call
let deferredCount: i32 = 0;
let control: usize = 0;
let releaseCount: i32 = 0;
let inputSlot: i32 = -1;

// FEC store: parallel arrays of FEC_ENTRIES.
let fecSlot: usize = 0; // i32, -1 free
let fecBase: usize = 0; // i64 extended SNBase
let fecStep: usize = 0; // i32 offset (L for columns, 1 for rows)
let fecCount: usize = 0; // i32 NA
let fecDirty: bool = false;

// --- stream state --------------------------------------------------------------------------
let haveFirst: bool = false;
let ssrc: u32 = 0;
let nextSeq: i64 = 0; // next extended sequence to release
let highestSeq: i64 = -1;
let tailSeq: i64 = 0; // lowest extended sequence whose slot may still be held
let gapSeq: i64 = -1;
let gapDeadline: f64 = 0;
let lastArrival: f64 = -1;
let intervalUs: f64 = 0;

@inline function slotPtr(slot: i32): usize { return pool + <usize>slot * <usize>SLOT_BYTES; }
@inline function cellOf(ext: i64): i32 { return <i32>(ext & windowMask); }

/**
 * Sizes everything from the FEC shape (0 x 0 for none) and the reorder allowance, in packets.
 * Delays are microseconds; the playout delay adapts between them.
 */
export function initReceiver(fecColumns: i32, fecRows: i32, pt: i32, minDelay: f64, maxDelay: f64, reorderPackets: i32): void {
  columns = fecColumns > 0 && fecRows > 0 ? fecColumns : 0;
  rows = columns > 0 ? fecRows : 0;
  payloadType = pt;
  minDelayUs = minDelay;
  maxDelayUs = maxDelay > minDelay ? maxDelay : minDelay;
  // Kept after release: a matrix and a row for late column FEC; at least enough history to tell
  // a duplicate from a packet that arrived too late.
  retain = columns * rows + columns > DUPLICATE_HISTORY ? columns * rows + columns : DUPLICATE_HISTORY;
  // Column FEC of a matrix arrives spread over the next one: up to 2 x L x D packets after the
  // matrix began (SMPTE 2022-1 sends FEC after the packets it protects), plus what the network reorders.
  pendingCap = (columns > 0 ? 2 * columns * rows + 2 * columns : 0) + (reorderPackets > 16 ? reorderPackets : 16);
  // Between the oldest retained packet and the newest that may be placed in one call: no two
  // live packets ever share a cell.
  windowSize = nextPowerOfTwo(retain + 2 * pendingCap + 2);
  windowMask = <i64>(windowSize - 1);
  poolSize = 2 * windowSize + FEC_ENTRIES + 4;

  pool = heap.alloc(<usize>poolSize * <usize>SLOT_BYTES);
  slotExt = heap.alloc(<usize>poolSize << 3);
  slotArrival = heap.alloc(<usize>poolSize << 3);
  slotLen = heap.alloc(<usize>poolSize << 2);
  slotPayloadOffset = heap.alloc(<usize>poolSize << 2);
  slotPayloadLen = heap.alloc(<usize>poolSize << 2);
  slotFlags = heap.alloc(<usize>poolSize << 2);
  ring = heap.alloc(<usize>windowSize << 2);
  freeStack = heap.alloc(<usize>poolSize << 2);
  deferred = heap.alloc(<usize>poolSize << 2);
  control = heap.alloc(<usize>(CTRL_ENTRIES + poolSize * ENTRY_WORDS) << 2);
  fecSlot = heap.alloc(<usize>FEC_ENTRIES << 2);
  fecBase = heap.alloc(<usize>FEC_ENTRIES << 3);
  fecStep = heap.alloc(<usize>FEC_ENTRIES << 2);
  fecCount = heap.alloc(<usize>FEC_ENTRIES << 2);
  S.allocStats();

  for (let i = 0; i < windowSize; i++) setI32(ring, i, -1);
  for (let i = 0; i < FEC_ENTRIES; i++) setI32(fecSlot, i, -1);
  freeTop = 0;
  for (let i = poolSize - 1; i >= 0; i--) setI32(freeStack, freeTop++, i);
  inputSlot = popFree();
  setI32(control, CTRL_INPUT, <i32>slotPtr(inputSlot));
  setI32(control, CTRL_RELEASE_COUNT, 0);
}

export function controlPtr(): usize { return control; }
export function statsPtr(): usize { return S.statsBase; }
export function slotBytes(): i32 { return SLOT_BYTES; }

function popFree(): i32 {
  return freeTop > 0 ? i32at(freeStack, --freeTop) : -1;
}

@inline function pushFree(slot: i32): void {
  setI32(freeStack, freeTop++, slot);
}

/** The slot holding `ext`, or -1. */
function slotOf(ext: i64): i32 {
  if (ext < tailSeq || ext > highestSeq) return -1;
  const slot = i32at(ring, cellOf(ext));
  return slot >= 0 && i64at(slotExt, slot) == ext ? slot : -1;
}

/** Start of every call: free what the host may no longer read, evict what FEC no longer needs. */
function beginCall(): void {
  for (let i = 0; i < deferredCount; i++) pushFree(i32at(deferred, i));
  deferredCount = 0;
  const keepFrom = nextSeq - <i64>retain;
  while (tailSeq < keepFrom) {
    const cell = cellOf(tailSeq);
    const slot = i32at(ring, cell);
    if (slot >= 0 && i64at(slotExt, slot) == tailSeq) {
      setI32(ring, cell, -1);
      pushFree(slot);
    }
    tailSeq++;
  }
  releaseCount = 0;
}

function endCall(): i32 {
  setI32(control, CTRL_INPUT, <i32>slotPtr(inputSlot));
  setI32(control, CTRL_RELEASE_COUNT, releaseCount);
  S.setStat(S.STAT_JITTER_MS, <f64>jitterUnits() * 1000.0 / clockRate);
  S.setStat(S.STAT_INTERVAL_US, intervalUs);
  S.setStat(S.STAT_DELAY_US, playoutDelay());
  return releaseCount;
}

/** Playout delay: four jitters of reorder tolerance, plus the FEC hold converted from packets to time. */
function playoutDelay(): f64 {
  const jitterUs = <f64>jitterUnits() * 1000000.0 / clockRate;
  let delay = 4.0 * jitterUs;
  if (columns > 0) delay += <f64>(2 * columns * rows + columns) * intervalUs;
  if (delay < minDelayUs) delay = minDelayUs;
  if (delay > maxDelayUs) delay = maxDelayUs;
  return delay;
}

/** Holds `slot` as extended sequence `ext`; the payload's place in it comes with it, not from the last parse. */
function place(ext: i64, slot: i32, now: f64, flags: i32, payloadOffset: i32, payloadLength: i32): void {
  const cell = cellOf(ext);
  const old = i32at(ring, cell);
  if (old >= 0 && old != slot) setI32(deferred, deferredCount++, old); // an evictable older packet
  setI32(ring, cell, slot);
  setI64(slotExt, slot, ext);
  setF64(slotArrival, slot, now);
  setI32(slotFlags, slot, flags);
  setI32(slotPayloadOffset, slot, payloadOffset);
  setI32(slotPayloadLen, slot, payloadLength);
  if (ext > highestSeq) highestSeq = ext;
}

function release(slot: i32): void {
  const at = control + (<usize>(CTRL_ENTRIES + releaseCount * ENTRY_WORDS) << 2);
  store<i32>(at, <i32>(slotPtr(slot) + <usize>i32at(slotPayloadOffset, slot)));
  store<i32>(at, i32at(slotPayloadLen, slot), 4);
  store<i32>(at, <i32>i64at(slotExt, slot), 8);
  store<i32>(at, i32at(slotFlags, slot), 12);
  releaseCount++;
  S.bump(S.STAT_RELEASED);
}

/** Arrival time of the first packet waiting after `from`: a missing packet is due by then. */
function firstWaitingArrival(from: i64): f64 {
  for (let ext = from + 1; ext <= highestSeq; ext++) {
    const slot = slotOf(ext);
    if (slot >= 0) return f64at(slotArrival, slot);
  }
  return 0;
}

/** Releases every packet that is in order, recovering or giving up gaps whose time has come. */
function drain(now: f64): void {
  while (nextSeq <= highestSeq) {
    const slot = slotOf(nextSeq);
    if (slot >= 0) {
      release(slot);
      nextSeq++;
      continue;
    }
    if (columns > 0 && fecDirty) {
      fecDirty = false;
      recoverAll(now);
      if (slotOf(nextSeq) >= 0) continue;
    }
    if (gapSeq != nextSeq) {
      gapSeq = nextSeq;
      gapDeadline = firstWaitingArrival(nextSeq) + playoutDelay();
    }
    if (now >= gapDeadline || highestSeq - nextSeq >= <i64>pendingCap) {
      S.bump(S.STAT_LOST);
      nextSeq++;
      continue;
    }
    break;
  }
}

/** Releases everything held, in order, counting the holes as lost (before a restart). */
function flushAll(): void {
  while (nextSeq <= highestSeq) releaseOrLose();
}

/** Moves past nextSeq: releases it if held, else counts it lost. */
function releaseOrLose(): void {
  const slot = slotOf(nextSeq);
  if (slot >= 0) release(slot);
  else S.bump(S.STAT_LOST);
  nextSeq++;
}

/** One media datagram, already copied to the input slot. Returns how many packets were released. */
export function pushMedia(len: i32, now: f64): i32 {
  beginCall();
  S.bump(S.STAT_RECEIVED);
  const ptr = slotPtr(inputSlot);
  if (parseRtp(ptr, len) != RTP_OK) {
    S.bump(S.STAT_MALFORMED);
    return endCall();
  }
  if (payloadType >= 0 && rtpPayloadType != payloadType) {
    S.bump(S.STAT_WRONG_PAYLOAD_TYPE);
    return endCall();
  }
  if (haveFirst && rtpSsrc != ssrc) {
    // A new sender (encoder restart): deliver what we hold, then start over on its numbering.
    restart();
  }
  let verdict = updateSequence(rtpSequence);
  if (verdict == SEQ_JUMP) {
    S.bump(S.STAT_JUMPS);
    return endCall();
  }
  if (verdict == SEQ_RESTART) {
    restart();
    verdict = updateSequence(rtpSequence);
  }
  const ext = extMax + <i64>seqDelta(maxSeq, rtpSequence);
  if (!haveFirst) {
    haveFirst = true;
    ssrc = rtpSsrc;
    nextSeq = ext;
    if (highestSeq < ext - 1) highestSeq = ext - 1;
    gapSeq = -1;
  }
  if (ext < nextSeq) {
    S.bump(slotOf(ext) >= 0 ? S.STAT_DUPLICATES : S.STAT_LATE);
    return endCall();
  }
  if (slotOf(ext) >= 0) {
    S.bump(S.STAT_DUPLICATES);
    return endCall();
  }
  // Too far ahead to hold: give up the oldest gaps until it fits.
  while (ext - nextSeq >= <i64>pendingCap) releaseOrLose();
  const fresh = popFree();
  if (fresh < 0) {
    S.bump(S.STAT_OVERFLOW);
    return endCall();
  }
  if (ext < highestSeq) S.bump(S.STAT_REORDERED);
  else if (ext == highestSeq + 1 && lastArrival >= 0) {
    // The first interval seeds the average, so the FEC hold is right from the second packet.
    intervalUs = intervalUs == 0 ? now - lastArrival : intervalUs + (now - lastArrival - intervalUs) / 16.0;
  }
  if (ext > highestSeq) lastArrival = now;
  setI32(slotLen, inputSlot, len);
  updateJitter(<u32><i64>Math.floor(now * clockRate / 1000000.0), rtpTimestamp);
  place(ext, inputSlot, now, 0, rtpPayloadOffset, rtpPayloadLength);
  inputSlot = fresh;
  S.bump(S.STAT_ACCEPTED);
  fecDirty = true;
  drain(now);
  return endCall();
}

/** Flushes the buffer and continues numbering after it: a new SSRC or a confirmed sequence restart. */
function restart(): void {
  S.bump(S.STAT_RESTARTS);
  flushAll();
  resetSequence(highestSeq + 1);
  resetJitter();
  for (let e = 0; e < FEC_ENTRIES; e++) if (i32at(fecSlot, e) >= 0) dropEntry(e);
  haveFirst = false;
  lastArrival = -1;
  fecDirty = false;
}

/** Releases what is due at `now` when no packet arrives. */
export function tick(now: f64): i32 {
  beginCall();
  drain(now);
  return endCall();
}

// --- FEC -----------------------------------------------------------------------------------

/** One FEC datagram (column or row, told apart by its D bit), already in the input slot. */
export function pushFec(len: i32, now: f64): i32 {
  beginCall();
  S.bump(S.STAT_FEC_RECEIVED);
  if (parseFecHeader(slotPtr(inputSlot), len) != FEC_OK) {
    S.bump(S.STAT_FEC_MALFORMED);
    return endCall();
  }
  const step = parsedOffset;
  const count = parsedCount;
  const expectedStep = parsedIsRow ? 1 : columns;
  const expectedCount = parsedIsRow ? columns : rows;
  if (columns == 0 || step != expectedStep || count != expectedCount) {
    S.bump(S.STAT_FEC_MISMATCH);
    return endCall();
  }
  if (!haveFirst) {
    S.bump(S.STAT_FEC_STALE);
    return endCall();
  }
  const base = extMax + <i64>seqDelta(maxSeq, parsedSnBase);
  const last = base + <i64>((count - 1) * step);
  if (last < nextSeq || base > highestSeq + <i64>windowSize) {
    S.bump(S.STAT_FEC_STALE);
    return endCall();
  }
  const entry = freeFecEntry();
  const fresh = popFree();
  if (fresh < 0) {
    S.bump(S.STAT_OVERFLOW);
    return endCall();
  }
  setI32(fecSlot, entry, inputSlot);
  setI64(fecBase, entry, base);
  setI32(fecStep, entry, step);
  setI32(fecCount, entry, count);
  setI32(slotLen, inputSlot, len);
  inputSlot = fresh;
  tryEntry(entry, now);
  fecDirty = true;
  drain(now);
  return endCall();
}

function dropEntry(entry: i32): void {
  pushFree(i32at(fecSlot, entry));
  setI32(fecSlot, entry, -1);
}

/** A free FEC entry: prunes entries that protect only released packets, else evicts the oldest. */
function freeFecEntry(): i32 {
  let free = -1;
  let oldest = -1;
  for (let e = 0; e < FEC_ENTRIES; e++) {
    if (i32at(fecSlot, e) < 0) {
      if (free < 0) free = e;
      continue;
    }
    const last = i64at(fecBase, e) + <i64>((i32at(fecCount, e) - 1) * i32at(fecStep, e));
    if (last < nextSeq) {
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
function tryEntry(entry: i32, now: f64): bool {
  const base = i64at(fecBase, entry);
  const step = i32at(fecStep, entry);
  const count = i32at(fecCount, entry);
  let missing = 0;
  let missingSeq: i64 = 0;
  for (let i = 0; i < count; i++) {
    const ext = base + <i64>(i * step);
    if (slotOf(ext) >= 0) continue;
    // Not due yet: FEC may arrive before the packets it protects (GStreamer sends a row's FEC
    // before its last packet; ports are not ordered). Rebuilding now would only make a duplicate.
    if (ext > highestSeq) return false;
    if (ext < nextSeq) {
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
  const ok = rebuild(entry, missingSeq, now);
  dropEntry(entry);
  return ok;
}

/** XOR recovery of `ext` from FEC entry `entry` and the other packets it protects (SMPTE 2022-1 XOR recovery). */
function rebuild(entry: i32, ext: i64, now: f64): bool {
  const slot = popFree();
  if (slot < 0) {
    S.bump(S.STAT_OVERFLOW);
    return false;
  }
  const fecPtr = slotPtr(i32at(fecSlot, entry));
  const fecPayloadLen = i32at(slotLen, i32at(fecSlot, entry)) - RTP_HEADER - FEC_HEADER;
  let length = lengthRecovery(fecPtr);
  let pt = payloadTypeRecovery(fecPtr);
  let ts = timestampRecovery(fecPtr);
  let bits0 = (<i32>load<u8>(fecPtr)) & 0x3f;
  let marker = (<i32>load<u8>(fecPtr, 1)) & 0x80;
  const base = i64at(fecBase, entry);
  const step = i32at(fecStep, entry);
  const count = i32at(fecCount, entry);
  for (let i = 0; i < count; i++) {
    const other = slotOf(base + <i64>(i * step));
    if (other < 0) continue;
    const p = slotPtr(other);
    length ^= i32at(slotLen, other) - RTP_HEADER;
    bits0 ^= (<i32>load<u8>(p)) & 0x3f;
    marker ^= (<i32>load<u8>(p, 1)) & 0x80;
    pt ^= (<i32>load<u8>(p, 1)) & 0x7f;
    ts ^= u32at(p + 4);
  }
  length &= 0xffff;
  if (length > fecPayloadLen || RTP_HEADER + length > MAX_DATAGRAM) {
    pushFree(slot);
    S.bump(S.STAT_FEC_FAILED);
    return false;
  }
  const dst = slotPtr(slot);
  memory.copy(dst + <usize>RTP_HEADER, fecPtr + <usize>(RTP_HEADER + FEC_HEADER), <usize>length);
  for (let i = 0; i < count; i++) {
    const other = slotOf(base + <i64>(i * step));
    if (other < 0) continue;
    const otherLen = i32at(slotLen, other) - RTP_HEADER;
    xorInto(dst + <usize>RTP_HEADER, slotPtr(other) + <usize>RTP_HEADER, otherLen < length ? otherLen : length);
  }
  writeRtpHeader(dst, bits0, marker | pt, <i32>(ext & 0xffff), ts, ssrc);
  if (parseRtp(dst, RTP_HEADER + length) != RTP_OK) {
    pushFree(slot);
    S.bump(S.STAT_FEC_FAILED);
    return false;
  }
  setI32(slotLen, slot, RTP_HEADER + length);
  place(ext, slot, now, FLAG_RECOVERED, rtpPayloadOffset, rtpPayloadLength);
  S.bump(S.STAT_RECOVERED);
  return true;
}

/** Row and column passes until nothing more can be rebuilt: each success may complete another. */
function recoverAll(now: f64): void {
  let progress = true;
  while (progress) {
    progress = false;
    for (let e = 0; e < FEC_ENTRIES; e++) {
      if (i32at(fecSlot, e) >= 0 && tryEntry(e, now)) progress = true;
    }
  }
}
