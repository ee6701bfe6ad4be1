// The per-stream receive path: RTP parse -> sequence extension -> jitter -> reorder/playout
// buffer (slots.ts) -> SMPTE 2022-1 FEC recovery (fec-store.ts). One receiver per instance; all
// memory is allocated once in initReceiver() and nothing is allocated per packet.
//
// Host contract (see wasm-core/host/receiver.ts):
// - the host copies each datagram to control[CTRL_INPUT] and calls pushMedia/pushFec(len, nowUs);
// - released packets are listed in the control block (payload pointer, length, extended sequence
//   low 32 bits, flags) and stay readable until the next call;
// - tick(nowUs) releases what is due when no packets arrive.
import { DUPLICATE_HISTORY, FEC_ENTRIES, MIN_REORDER_PACKETS, nextPowerOfTwo, RTP_CLOCK_RATE, SLOT_BYTES } from './limits';
import { FEC_OK, parsedCount, parsedIsRow, parsedOffset, parsedSnBase, parseFecHeader } from './fec-header';
import * as FEC from './fec-store';
import { parseRtp, RTP_OK, rtpPayloadLength, rtpPayloadOffset, rtpPayloadType, rtpSequence, rtpSsrc, rtpTimestamp } from './rtp';
import { extMax, maxSeq, resetSequence, SEQ_JUMP, SEQ_RESTART, seqDelta, setMaxMisorder, updateSequence } from './sequence';
import { jitterUnits, resetJitter, updateJitter } from './jitter';
import { setI32 } from './memory';
import * as Slots from './slots';
import * as S from './stats';

export { FLAG_RECOVERED } from './slots';

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
/** How far past the newest packet an FEC packet's first protected packet may lie. */
let fecReach: i32 = 0;

// --- per call ------------------------------------------------------------------------------
let control: usize = 0;
let releaseCount: i32 = 0;
let inputSlot: i32 = -1;

// --- stream state --------------------------------------------------------------------------
let haveFirst: bool = false;
let ssrc: u32 = 0;
let gapSeq: i64 = -1;
let gapDeadline: f64 = 0;
let lastArrival: f64 = -1;
let intervalUs: f64 = 0;

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
  pendingCap = (columns > 0 ? 2 * columns * rows + 2 * columns : 0) + (reorderPackets > MIN_REORDER_PACKETS ? reorderPackets : MIN_REORDER_PACKETS);
  setMaxMisorder(retain + pendingCap);
  // Between the oldest retained packet and the newest that may be placed in one call: no two
  // live packets ever share a cell.
  const windowSize = nextPowerOfTwo(retain + 2 * pendingCap + 2);
  // FEC that protects packets further ahead than the receiver can hold at once is refused as stale.
  fecReach = retain + 2 * pendingCap + 2;
  const poolSize = 2 * windowSize + FEC_ENTRIES + 4;
  Slots.allocSlots(windowSize, poolSize);
  control = heap.alloc(<usize>(CTRL_ENTRIES + poolSize * ENTRY_WORDS) << 2);
  FEC.allocFec();
  S.allocStats();
  inputSlot = Slots.popFree();
  setI32(control, CTRL_INPUT, <i32>Slots.slotPtr(inputSlot));
  setI32(control, CTRL_RELEASE_COUNT, 0);
}

export function controlPtr(): usize { return control; }
export function statsPtr(): usize { return S.statsBase; }
export function slotBytes(): i32 { return SLOT_BYTES; }

/** Start of every call: free what the host may no longer read, evict what FEC no longer needs. */
function beginCall(): void {
  Slots.freeBefore(Slots.nextSeq - <i64>retain);
  releaseCount = 0;
}

function endCall(): i32 {
  setI32(control, CTRL_INPUT, <i32>Slots.slotPtr(inputSlot));
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

function release(slot: i32): void {
  const at = control + (<usize>(CTRL_ENTRIES + releaseCount * ENTRY_WORDS) << 2);
  store<i32>(at, <i32>Slots.slotPayloadPtr(slot));
  store<i32>(at, Slots.slotPayloadLength(slot), 4);
  store<i32>(at, <i32>Slots.slotExtended(slot), 8);
  store<i32>(at, Slots.slotFlagsOf(slot), 12);
  releaseCount++;
  S.bump(S.STAT_RELEASED);
}

/** Releases every packet that is in order, recovering or giving up gaps whose time has come. */
function drain(now: f64): void {
  while (Slots.nextSeq <= Slots.highestSeq) {
    const slot = Slots.slotOf(Slots.nextSeq);
    if (slot >= 0) {
      release(slot);
      Slots.nextSeq++;
      continue;
    }
    if (columns > 0 && FEC.fecDirty) {
      FEC.recoverAll(now, ssrc);
      if (Slots.slotOf(Slots.nextSeq) >= 0) continue;
    }
    if (gapSeq != Slots.nextSeq) {
      gapSeq = Slots.nextSeq;
      gapDeadline = Slots.firstWaitingArrival(Slots.nextSeq) + playoutDelay();
    }
    if (now >= gapDeadline || Slots.highestSeq - Slots.nextSeq >= <i64>pendingCap) {
      S.bump(S.STAT_LOST);
      Slots.nextSeq++;
      continue;
    }
    break;
  }
}

/** Releases everything held, in order, counting the holes as lost (before a restart). */
function flushAll(): void {
  while (Slots.nextSeq <= Slots.highestSeq) releaseOrLose();
}

/** Moves past nextSeq: releases it if held, else counts it lost. */
function releaseOrLose(): void {
  const slot = Slots.slotOf(Slots.nextSeq);
  if (slot >= 0) release(slot);
  else S.bump(S.STAT_LOST);
  Slots.nextSeq++;
}

/** One media datagram, already copied to the input slot. Returns how many packets were released. */
export function pushMedia(len: i32, now: f64): i32 {
  beginCall();
  S.bump(S.STAT_RECEIVED);
  const ptr = Slots.slotPtr(inputSlot);
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
    Slots.nextSeq = ext;
    if (Slots.highestSeq < ext - 1) Slots.highestSeq = ext - 1;
    gapSeq = -1;
  }
  if (ext < Slots.nextSeq) {
    S.bump(Slots.slotOf(ext) >= 0 ? S.STAT_DUPLICATES : S.STAT_LATE);
    return endCall();
  }
  if (Slots.slotOf(ext) >= 0) {
    S.bump(S.STAT_DUPLICATES);
    return endCall();
  }
  // Too far ahead to hold: give up the oldest gaps until it fits.
  while (ext - Slots.nextSeq >= <i64>pendingCap) releaseOrLose();
  const fresh = Slots.popFree();
  if (fresh < 0) {
    S.bump(S.STAT_OVERFLOW);
    return endCall();
  }
  if (ext < Slots.highestSeq) S.bump(S.STAT_REORDERED);
  else if (ext == Slots.highestSeq + 1 && lastArrival >= 0) {
    // The first interval seeds the average, so the FEC hold is right from the second packet.
    intervalUs = intervalUs == 0 ? now - lastArrival : intervalUs + (now - lastArrival - intervalUs) / 16.0;
  }
  if (ext > Slots.highestSeq) lastArrival = now;
  Slots.setSlotLength(inputSlot, len);
  updateJitter(<u32><i64>Math.floor(now * clockRate / 1000000.0), rtpTimestamp);
  Slots.place(ext, inputSlot, now, 0, rtpPayloadOffset, rtpPayloadLength);
  inputSlot = fresh;
  S.bump(S.STAT_ACCEPTED);
  FEC.fecDirty = true;
  drain(now);
  return endCall();
}

/** Flushes the buffer and continues numbering after it: a new SSRC or a confirmed sequence restart. */
function restart(): void {
  S.bump(S.STAT_RESTARTS);
  flushAll();
  resetSequence(Slots.highestSeq + 1);
  resetJitter();
  FEC.dropAllFec();
  haveFirst = false;
  lastArrival = -1;
}

/** Releases what is due at `now` when no packet arrives. */
export function tick(now: f64): i32 {
  beginCall();
  drain(now);
  return endCall();
}

/** One FEC datagram (column or row, told apart by its D bit), already in the input slot. */
export function pushFec(len: i32, now: f64): i32 {
  beginCall();
  S.bump(S.STAT_FEC_RECEIVED);
  if (parseFecHeader(Slots.slotPtr(inputSlot), len) != FEC_OK) {
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
  if (last < Slots.nextSeq || base > Slots.highestSeq + <i64>fecReach) {
    S.bump(S.STAT_FEC_STALE);
    return endCall();
  }
  const entry = FEC.reserveEntry();
  const fresh = Slots.popFree();
  if (fresh < 0) {
    S.bump(S.STAT_OVERFLOW);
    return endCall();
  }
  Slots.setSlotLength(inputSlot, len);
  const held = inputSlot;
  inputSlot = fresh;
  FEC.storeFec(entry, held, base, step, count, now, ssrc);
  drain(now);
  return endCall();
}
