// When to ask the sender for a missing packet again (RIST Simple Profile, VSF TR-06-1: RTCP
// generic NACKs of RFC 4585), per packet, beside the jitter buffer and FEC. The rules are those of
// wasm-core/reference/nack.ts, which states them; this is the allocation-free form: one ring of
// `window` cells indexed by the extended sequence number, all memory taken in nackInit().
//
// Host contract (wasm-core/host/nack.ts): sequence numbers are extended (never wrapping) and passed
// as f64 (exact to 2^53); times are microseconds. nackDue() writes FCI words at nackOutPtr() and
// returns how many; they stay readable until the next call.
import { f64at, i32at, setF64, setI32 } from './memory';

const STATE_CLEAR: i32 = 0;
const STATE_MISSING: i32 = 1;
const STATE_GIVEN_UP: i32 = 2;

export const ARRIVAL_NEW: i32 = 0;
export const ARRIVAL_RECOVERED: i32 = 1;
export const ARRIVAL_FILLED: i32 = 2;
export const ARRIVAL_LATE: i32 = 3;
export const ARRIVAL_OLD: i32 = 4;

// Counters, f64 each at nackStatsPtr(), in the order of the reference's NackStats.
export const NACK_STAT_MISSING: i32 = 0;
export const NACK_STAT_REQUESTS: i32 = 1;
export const NACK_STAT_FCI_WORDS: i32 = 2;
export const NACK_STAT_RECOVERED: i32 = 3;
export const NACK_STAT_FILLED: i32 = 4;
export const NACK_STAT_LATE: i32 = 5;
export const NACK_STAT_LOST: i32 = 6;
const NACK_STAT_COUNT: i32 = 7;

const RETRY_RTT_FACTOR: f64 = 1.5;

let window: i32 = 0;
let mask: i32 = 0;
let reorderUs: f64 = 0;
let minIntervalUs: f64 = 0;
let maxAttempts: i32 = 0;
let bufferUs: f64 = 0;
let rttUs: f64 = 0;

// The ring: per cell the sequence number it holds, its state, deadline, next request time, attempts.
let cellSeq: usize = 0;
let cellState: usize = 0;
let cellDeadline: usize = 0;
let cellNextAt: usize = 0;
let cellAttempts: usize = 0;
let out: usize = 0;
let stats: usize = 0;

/** Highest sequence seen (-1: none yet); the lowest that may still be missing. */
let highest: f64 = -1;
let oldest: f64 = 0;

/** `windowPackets` must be a power of two; the host sizes it from the buffer and the packet rate. */
export function nackInit(windowPackets: i32, reorder: f64, minInterval: f64, attempts: i32, buffer: f64): void {
  window = windowPackets;
  mask = windowPackets - 1;
  reorderUs = reorder;
  minIntervalUs = minInterval;
  maxAttempts = attempts;
  bufferUs = buffer;
  cellSeq = heap.alloc(<usize>window << 3);
  cellState = heap.alloc(<usize>window << 2);
  cellDeadline = heap.alloc(<usize>window << 3);
  cellNextAt = heap.alloc(<usize>window << 3);
  cellAttempts = heap.alloc(<usize>window << 2);
  // At most one FCI word per request, and at most `window` requests at once.
  out = heap.alloc(<usize>window << 2);
  stats = heap.alloc(<usize>NACK_STAT_COUNT << 3);
  for (let i = 0; i < window; i++) {
    setF64(cellSeq, i, -1);
    setI32(cellState, i, STATE_CLEAR);
  }
  for (let i = 0; i < NACK_STAT_COUNT; i++) setF64(stats, i, 0);
  highest = -1;
  oldest = 0;
  rttUs = 0;
}

export function nackSetRtt(rtt: f64): void {
  rttUs = rtt > 0 ? rtt : 0;
}

export function nackOutPtr(): usize {
  return out;
}

export function nackStatsPtr(): usize {
  return stats;
}

@inline function add(stat: i32, n: f64): void {
  setF64(stats, stat, f64at(stats, stat) + n);
}

@inline function cell(seq: f64): i32 {
  return <i32>(<i64>seq) & mask;
}

/** A packet arrived (an original or a retransmission): how it counted (ARRIVAL_*). */
export function nackArrived(seq: f64, nowUs: f64): i32 {
  expire(nowUs);
  if (highest < 0 || seq > highest) {
    const first = highest < 0 ? seq : highest + 1;
    const windowStart = seq - <f64>window + 1;
    const tracked = first > windowStart ? first : windowStart;
    add(NACK_STAT_MISSING, seq - first);
    add(NACK_STAT_LOST, tracked - first);
    // Cells falling out of the window: a missing packet there is lost, a given-up one forgotten.
    // Only cells up to the old highest ever held anything (at most one window of them).
    const forgetFrom = oldest > highest - <f64>window + 1 ? oldest : highest - <f64>window + 1;
    const forgetTo = seq - <f64>window < highest ? seq - <f64>window : highest;
    for (let s = forgetFrom; s <= forgetTo; s++) {
      const c = cell(s);
      if (f64at(cellSeq, c) == s && i32at(cellState, c) == STATE_MISSING) add(NACK_STAT_LOST, 1);
      setI32(cellState, c, STATE_CLEAR);
    }
    for (let s = tracked; s < seq; s++) {
      const c = cell(s);
      setF64(cellSeq, c, s);
      setI32(cellState, c, STATE_MISSING);
      setF64(cellDeadline, c, nowUs + bufferUs);
      setF64(cellNextAt, c, nowUs + reorderUs);
      setI32(cellAttempts, c, 0);
    }
    const c = cell(seq);
    setF64(cellSeq, c, seq);
    setI32(cellState, c, STATE_CLEAR);
    if (highest < 0 || oldest < seq - <f64>window + 1) oldest = highest < 0 ? seq : seq - <f64>window + 1;
    highest = seq;
    return ARRIVAL_NEW;
  }
  if (seq <= highest - <f64>window) return ARRIVAL_OLD;
  const c = cell(seq);
  if (f64at(cellSeq, c) != seq) return ARRIVAL_OLD;
  const state = i32at(cellState, c);
  setI32(cellState, c, STATE_CLEAR);
  if (state == STATE_MISSING) {
    if (i32at(cellAttempts, c) > 0) {
      add(NACK_STAT_RECOVERED, 1);
      return ARRIVAL_RECOVERED;
    }
    add(NACK_STAT_FILLED, 1);
    return ARRIVAL_FILLED;
  }
  if (state == STATE_GIVEN_UP) {
    add(NACK_STAT_LATE, 1);
    return ARRIVAL_LATE;
  }
  return ARRIVAL_OLD;
}

/**
 * Missing packets past their deadline are lost. Deadlines never decrease with the sequence number
 * (a later gap is noticed no earlier), so only the oldest ones need looking at.
 */
function expire(nowUs: f64): void {
  if (highest < 0) return;
  while (oldest < highest) {
    const c = cell(oldest);
    const state = i32at(cellState, c);
    if (f64at(cellSeq, c) == oldest && state == STATE_MISSING) {
      if (f64at(cellDeadline, c) > nowUs) return;
      setI32(cellState, c, STATE_GIVEN_UP);
      add(NACK_STAT_LOST, 1);
    }
    oldest++;
  }
}

/** Writes the FCI words of the requests due now at nackOutPtr(); returns how many. */
export function nackDue(nowUs: f64): i32 {
  expire(nowUs);
  if (highest < 0) return 0;
  const interval = rttUs * RETRY_RTT_FACTOR > minIntervalUs ? rttUs * RETRY_RTT_FACTOR : minIntervalUs;
  let words = 0;
  let pid: f64 = -1;
  let blp: i32 = 0;
  let requests = 0;
  for (let s = oldest; s < highest; s++) {
    const c = cell(s);
    if (f64at(cellSeq, c) != s || i32at(cellState, c) != STATE_MISSING) continue;
    const attempts = i32at(cellAttempts, c);
    if (f64at(cellNextAt, c) > nowUs || attempts >= maxAttempts || nowUs + rttUs > f64at(cellDeadline, c)) continue;
    setI32(cellAttempts, c, attempts + 1);
    setF64(cellNextAt, c, nowUs + interval);
    requests++;
    if (pid >= 0 && s - pid <= 16) {
      blp |= 1 << (<i32>(s - pid) - 1);
      continue;
    }
    if (pid >= 0) setI32(out, words++, ((<i32>(<i64>pid) & 0xffff) << 16) | blp);
    pid = s;
    blp = 0;
  }
  if (pid >= 0) setI32(out, words++, ((<i32>(<i64>pid) & 0xffff) << 16) | blp);
  add(NACK_STAT_REQUESTS, <f64>requests);
  add(NACK_STAT_FCI_WORDS, <f64>words);
  return words;
}
