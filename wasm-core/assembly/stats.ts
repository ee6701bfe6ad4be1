// Counters the host reads straight from memory (one f64 each, exported through statsPtr()).
// The indices are part of the host contract: wasm-core/build.mjs generates the host's list of names
// from these constants (STAT_FEC_RECEIVED -> fecReceived), in this order.

export const STAT_RECEIVED: i32 = 0; // media datagrams offered
export const STAT_ACCEPTED: i32 = 1; // media packets placed in the buffer
export const STAT_MALFORMED: i32 = 2; // bad RTP header or length
export const STAT_WRONG_PAYLOAD_TYPE: i32 = 3; // payload type other than the configured one
export const STAT_DUPLICATES: i32 = 4;
export const STAT_REORDERED: i32 = 5; // arrived after a higher sequence number
export const STAT_LATE: i32 = 6; // arrived after its slot was released or given up
export const STAT_LOST: i32 = 7; // given up: neither arrived nor recovered in time
export const STAT_RECOVERED: i32 = 8; // rebuilt from FEC
export const STAT_RELEASED: i32 = 9; // handed to the host in order
export const STAT_FEC_RECEIVED: i32 = 10;
export const STAT_FEC_MALFORMED: i32 = 11;
export const STAT_FEC_MISMATCH: i32 = 12; // matrix shape differs from the configured one
export const STAT_FEC_STALE: i32 = 13; // protects only packets already gone
export const STAT_FEC_FAILED: i32 = 14; // recovery arithmetic gave an impossible packet
export const STAT_RESTARTS: i32 = 15; // SSRC change or confirmed sequence restart
export const STAT_JUMPS: i32 = 16; // dropped: sequence jump not (yet) confirmed as a restart
export const STAT_JITTER_MS: i32 = 17; // RFC 3550 interarrival jitter, milliseconds
export const STAT_DELAY_US: i32 = 18; // current playout delay
export const STAT_INTERVAL_US: i32 = 19; // smoothed packet interval
export const STAT_OVERFLOW: i32 = 20; // dropped for lack of a free slot (never expected)
export const STAT_COUNT: i32 = 21;

export let statsBase: usize = 0;

@inline export function bump(index: i32): void {
  const at = statsBase + (<usize>index << 3);
  store<f64>(at, load<f64>(at) + 1.0);
}

@inline export function setStat(index: i32, value: f64): void {
  store<f64>(statsBase + (<usize>index << 3), value);
}

export function allocStats(): void {
  statsBase = heap.alloc(<usize>STAT_COUNT << 3);
  memory.fill(statsBase, 0, <usize>STAT_COUNT << 3);
}
