// npm run bench:wasm-core
// Packets per second through the full per-packet receive path (parse, jitter, reorder, FEC) in
// WebAssembly and in the TypeScript reference, on the same pre-built traffic, alternating runs.
// Last line: ratio=<WebAssembly/reference packets per second on the FEC recovery workload>.
import { WasmReceiver } from '../wasm-core/host/receiver.js';
import { ReferenceReceiver } from '../wasm-core/reference/receiver.js';
import { fecFor, mediaPacket } from '../test/support/rtp-fixtures.js';

const PACKETS = Number(process.env.BENCH_PACKETS ?? 50_000); // a multiple of L x D
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const L = 5;
const D = 10;
const INTERVAL_US = 2_000; // ~4 Mbit/s of 1316-byte payloads

type Event = { fec: boolean; bytes: Uint8Array; now: number };

/** Deterministic PRNG so every run measures the same traffic. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function mediaStream(): Uint8Array[] {
  const random = prng(7);
  return Array.from({ length: PACKETS }, (_, i) => {
    const payload = new Uint8Array(1316);
    for (let j = 0; j < payload.length; j += 4) payload[j] = (random() * 256) | 0;
    for (let k = 0; k < 7; k++) payload[k * 188] = 0x47;
    return mediaPacket({ seq: i, timestamp: i * 180, ssrc: 0x1234, payload });
  });
}

/** FEC workload: row and column FEC as FFmpeg spreads them, ~2% loss (one packet in 10% of rows), all repairable. */
function fecWorkload(media: Uint8Array[]): { events: Event[]; dropped: number } {
  const random = prng(11);
  const { rows, columns } = fecFor(media, L, D);
  const timeline: { at: number; event: Omit<Event, 'now'> }[] = [];
  let dropped = 0;
  for (let r = 0; r < PACKETS / L; r++) {
    const lose = r > 0 && random() < 0.1 ? r * L + ((random() * L) | 0) : -1;
    for (let c = 0; c < L; c++) {
      const i = r * L + c;
      if (i === lose) dropped++;
      else timeline.push({ at: i, event: { fec: false, bytes: media[i] } });
    }
    timeline.push({ at: (r + 1) * L + 0.25, event: { fec: true, bytes: rows[r] } });
  }
  columns.forEach((bytes, c) => {
    const matrix = Math.floor(c / L);
    timeline.push({ at: (matrix + 1) * L * D + (c % L) * D + 0.5, event: { fec: true, bytes } });
  });
  timeline.sort((a, b) => a.at - b.at);
  return { events: timeline.map((t) => ({ ...t.event, now: Math.round(t.at * INTERVAL_US) })), dropped };
}

/** No FEC, no loss, 1% of neighbours swapped: parse + jitter + reorder only. */
function reorderWorkload(media: Uint8Array[]): Event[] {
  const random = prng(13);
  const order = media.map((_, i) => i);
  for (let i = 1; i + 1 < order.length; i++) if (random() < 0.01) [order[i], order[i + 1]] = [order[i + 1], order[i]];
  return order.map((i, k) => ({ fec: false, bytes: media[i], now: k * INTERVAL_US }));
}

interface Result {
  seconds: number;
  released: number;
  recovered: number;
  lost: number;
}

function runWasm(events: Event[], fec: boolean): Result {
  const receiver = new WasmReceiver({ fec: fec ? { columns: L, rows: D } : null });
  let bytes = 0;
  const sink = (payload: Uint8Array) => (bytes += payload[0]);
  const start = process.hrtime.bigint();
  for (const e of events) {
    if (e.fec) receiver.pushFec(e.bytes, e.now, sink);
    else receiver.pushMedia(e.bytes, e.now, sink);
  }
  receiver.tick(events[events.length - 1].now + 10_000_000, sink);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const stats = receiver.readStats();
  return { seconds, released: stats.released, recovered: stats.recovered, lost: stats.lost + (bytes < 0 ? 1 : 0) };
}

function runReference(events: Event[], fec: boolean): Result {
  const receiver = new ReferenceReceiver({ fec: fec ? { columns: L, rows: D } : null });
  let released = 0;
  const start = process.hrtime.bigint();
  for (const e of events) released += (e.fec ? receiver.pushFec(e.bytes, e.now) : receiver.pushMedia(e.bytes, e.now)).length;
  released += receiver.tick(events[events.length - 1].now + 10_000_000).length;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, released, recovered: receiver.stats.recovered, lost: receiver.stats.lost };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const media = mediaStream();
const fec = fecWorkload(media);
const reorder = reorderWorkload(media);
const mediaCount = (events: Event[]) => events.filter((e) => !e.fec).length;

console.log(`wasm-core benchmark: ${PACKETS} packets of 1316-byte MPEG-TS payload, FEC ${L}x${D}, ${ROUNDS} alternating rounds, median shown`);
const timings = { wasmFec: [] as number[], refFec: [] as number[], wasmReorder: [] as number[], refReorder: [] as number[] };
let check: { wasm: Result; ref: Result } | null = null;
runWasm(fec.events, true); // warm-up: JIT and wasm tier-up
runReference(fec.events, true);
for (let round = 0; round < ROUNDS; round++) {
  const wasm = runWasm(fec.events, true);
  const ref = runReference(fec.events, true);
  timings.wasmFec.push(fec.events.length / wasm.seconds);
  timings.refFec.push(fec.events.length / ref.seconds);
  timings.wasmReorder.push(reorder.length / runWasm(reorder, false).seconds);
  timings.refReorder.push(reorder.length / runReference(reorder, false).seconds);
  check = { wasm, ref };
}
if (!check || check.wasm.released !== PACKETS || check.wasm.recovered !== fec.dropped || check.wasm.lost !== 0 || check.ref.released !== PACKETS) {
  throw new Error(`benchmark traffic was not fully repaired: ${JSON.stringify(check)} (dropped ${fec.dropped})`);
}
const row = (label: string, wasm: number, ref: number) =>
  console.log(
    `${label.padEnd(42)} wasm ${Math.round(wasm).toLocaleString('en-US').padStart(11)} pkt/s   reference ${Math.round(ref).toLocaleString('en-US').padStart(11)} pkt/s   x${(wasm / ref).toFixed(2)}`,
  );
row(`parse+jitter+reorder (no FEC, ${mediaCount(reorder)} pkts)`, median(timings.wasmReorder), median(timings.refReorder));
row(`full path with FEC recovery (${fec.dropped} repaired)`, median(timings.wasmFec), median(timings.refFec));
console.log(
  `summary: wasm-core FEC path ${Math.round(median(timings.wasmFec))} pkt/s, reference ${Math.round(median(timings.refFec))} pkt/s, parse+jitter+reorder ${Math.round(median(timings.wasmReorder))} pkt/s, ratio=${(median(timings.wasmFec) / median(timings.refFec)).toFixed(2)}`,
);
