import { MAX_DROPOUT, MAX_MISORDER } from './limits';

/** Signed distance from a to b in 16-bit sequence space: -32768..32767. */
@inline export function seqDelta(a: i32, b: i32): i32 {
  return <i32>(<i16>(b - a));
}

// RFC 3550 A.1 per-source state. `extMax` is the extended highest sequence (cycles + max_seq).
export let maxSeq: i32 = 0;
export let extMax: i64 = 0;
export let badSeq: i32 = 0x10001;
export let started: bool = false;
/**
 * How far behind the highest a packet may be and still count as late rather than as a jump:
 * RFC 3550 A.1's MAX_MISORDER (100), or the receiver's whole hold when that is longer (a RIST
 * retransmission or a late FEC-protected packet can trail the newest by the buffer's worth).
 */
let maxMisorder: i32 = MAX_MISORDER;

export function setMaxMisorder(packets: i32): void {
  maxMisorder = packets > MAX_MISORDER ? (packets < 65536 - MAX_DROPOUT ? packets : 65536 - MAX_DROPOUT) : MAX_MISORDER;
}
/** Extended number given to the first packet after a (re)start, so numbers never go backwards. */
let firstExt: i64 = 0;

export const SEQ_ACCEPT: i32 = 0;
/** A jump too large to be loss: dropped, unless the next packet confirms it (then a restart). */
export const SEQ_JUMP: i32 = 1;
/** Confirmed restart: the sender's numbering jumped; state was re-initialised on this packet. */
export const SEQ_RESTART: i32 = 2;

export function resetSequence(continueFrom: i64): void {
  started = false;
  badSeq = 0x10001;
  firstExt = continueFrom;
}

/**
 * update_seq of RFC 3550 A.1, without probation (the first packet is accepted: losing it would
 * lose the stream's first PAT), returning the verdict. The packet's extended number is
 * extMax + seqDelta(maxSeq, seq), computed by the caller.
 */
export function updateSequence(seq: i32): i32 {
  if (!started) {
    started = true;
    maxSeq = seq;
    extMax = firstExt;
    badSeq = 0x10001;
    return SEQ_ACCEPT;
  }
  const udelta = (seq - maxSeq) & 0xffff;
  if (udelta < MAX_DROPOUT) {
    extMax += <i64>udelta;
    maxSeq = seq;
    return SEQ_ACCEPT;
  }
  if (udelta <= 65536 - maxMisorder) {
    // Two sequential packets after a jump: the sender restarted. The caller flushes its buffer
    // and calls resetSequence() so that numbering continues from where it was.
    if (seq == badSeq) return SEQ_RESTART;
    badSeq = (seq + 1) & 0xffff;
    return SEQ_JUMP;
  }
  // Duplicate or reordered packet behind maxSeq: accepted, extMax unchanged.
  return SEQ_ACCEPT;
}
