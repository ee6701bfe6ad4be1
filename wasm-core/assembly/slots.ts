// The packet store of one receiver: a pool of fixed-size slots, a ring that finds a packet's slot
// by its extended sequence number, a stack of free slots, and the slots to free at the next call
// (the host may still read a released packet until then). The ring holds tailSeq..highestSeq;
// nextSeq is the next sequence to release.
import { SLOT_BYTES } from './limits';
import { f64at, i32at, i64at, setF64, setI32, setI64 } from './memory';

/** Set on packets rebuilt from FEC. */
export const FLAG_RECOVERED: i32 = 1;

export let windowSize: i32 = 0;
let windowMask: i64 = 0;
let poolSize: i32 = 0;

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

/** Next extended sequence to release. */
export let nextSeq: i64 = 0;
export let highestSeq: i64 = -1;
/** Lowest extended sequence whose slot may still be held. */
export let tailSeq: i64 = 0;

/** Allocates the store once: `window` ring cells (a power of two), `slots` packet slots. */
export function allocSlots(window: i32, slots: i32): void {
  windowSize = window;
  windowMask = <i64>(window - 1);
  poolSize = slots;
  pool = heap.alloc(<usize>slots * <usize>SLOT_BYTES);
  slotExt = heap.alloc(<usize>slots << 3);
  slotArrival = heap.alloc(<usize>slots << 3);
  slotLen = heap.alloc(<usize>slots << 2);
  slotPayloadOffset = heap.alloc(<usize>slots << 2);
  slotPayloadLen = heap.alloc(<usize>slots << 2);
  slotFlags = heap.alloc(<usize>slots << 2);
  ring = heap.alloc(<usize>window << 2);
  freeStack = heap.alloc(<usize>slots << 2);
  deferred = heap.alloc(<usize>slots << 2);
  for (let i = 0; i < window; i++) setI32(ring, i, -1);
  freeTop = 0;
  for (let i = slots - 1; i >= 0; i--) setI32(freeStack, freeTop++, i);
}

@inline export function slotPtr(slot: i32): usize { return pool + <usize>slot * <usize>SLOT_BYTES; }
@inline function cellOf(ext: i64): i32 { return <i32>(ext & windowMask); }

export function popFree(): i32 {
  return freeTop > 0 ? i32at(freeStack, --freeTop) : -1;
}

@inline export function pushFree(slot: i32): void {
  setI32(freeStack, freeTop++, slot);
}

@inline export function slotLength(slot: i32): i32 { return i32at(slotLen, slot); }
@inline export function setSlotLength(slot: i32, len: i32): void { setI32(slotLen, slot, len); }
@inline export function slotPayloadPtr(slot: i32): usize { return slotPtr(slot) + <usize>i32at(slotPayloadOffset, slot); }
@inline export function slotPayloadLength(slot: i32): i32 { return i32at(slotPayloadLen, slot); }
@inline export function slotExtended(slot: i32): i64 { return i64at(slotExt, slot); }
@inline export function slotFlagsOf(slot: i32): i32 { return i32at(slotFlags, slot); }

/** The slot holding `ext`, or -1. */
export function slotOf(ext: i64): i32 {
  if (ext < tailSeq || ext > highestSeq) return -1;
  const slot = i32at(ring, cellOf(ext));
  return slot >= 0 && i64at(slotExt, slot) == ext ? slot : -1;
}

/** Holds `slot` as extended sequence `ext`; the payload's place in it comes with it, not from the last parse. */
export function place(ext: i64, slot: i32, now: f64, flags: i32, payloadOffset: i32, payloadLength: i32): void {
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

/** Start of every call: frees what the host may no longer read, and the slots before `keepFrom`. */
export function freeBefore(keepFrom: i64): void {
  for (let i = 0; i < deferredCount; i++) pushFree(i32at(deferred, i));
  deferredCount = 0;
  while (tailSeq < keepFrom) {
    const cell = cellOf(tailSeq);
    const slot = i32at(ring, cell);
    if (slot >= 0 && i64at(slotExt, slot) == tailSeq) {
      setI32(ring, cell, -1);
      pushFree(slot);
    }
    tailSeq++;
  }
}

/** Arrival time of the first packet waiting after `from`: a missing packet is due by then. */
export function firstWaitingArrival(from: i64): f64 {
  for (let ext = from + 1; ext <= highestSeq; ext++) {
    const slot = slotOf(ext);
    if (slot >= 0) return f64at(slotArrival, slot);
  }
  return 0;
}
