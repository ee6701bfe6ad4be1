import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { WasmReceiver } from '../wasm-core/host/receiver.js';
import { isGauge, RECEIVER_STATS } from '../wasm-core/host/stats.js';
import { ReferenceReceiver } from '../wasm-core/reference/receiver.js';
import { fecFor, mediaPacket } from './support/rtp-fixtures.js';

type Event = { kind: 'media' | 'fec' | 'tick'; bytes: Uint8Array; now: number };
type Out = { seq: number; recovered: boolean; payload: string };

interface Scenario {
  fec: { columns: number; rows: number } | null;
  count: number;
  startSeq: number;
  ssrc: number;
  intervalUs: number;
  sizes: number[];
  loss: number[];
  fecLoss: number[];
  swaps: number[];
  duplicates: number[];
  junk: { at: number; bytes: Uint8Array; asFec: boolean }[];
  jitterUs: number[];
  fecLagPackets: number;
  /** From this packet on, a restarted encoder: new SSRC (or the same) and new numbering. */
  restart?: { at: number; seq: number; sameSsrc: boolean } | null;
}

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    shape: fc.oneof(fc.constant(null), fc.record({ columns: fc.integer({ min: 4, max: 10 }), rows: fc.integer({ min: 4, max: 10 }) })),
    count: fc.integer({ min: 20, max: 260 }),
    startSeq: fc.integer({ min: 0, max: 65535 }),
    ssrc: fc.integer({ min: 0, max: 0xffffffff }),
    intervalUs: fc.integer({ min: 200, max: 5000 }),
    variableSizes: fc.boolean(),
    sizeSeed: fc.array(fc.integer({ min: 1, max: 1316 }), { minLength: 1, maxLength: 8 }),
    loss: fc.array(fc.integer({ min: 0, max: 259 }), { maxLength: 12 }),
    fecLoss: fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 4 }),
    swaps: fc.array(fc.integer({ min: 0, max: 258 }), { maxLength: 10 }),
    duplicates: fc.array(fc.integer({ min: 0, max: 259 }), { maxLength: 5 }),
    junk: fc.array(fc.record({ at: fc.integer({ min: 0, max: 259 }), bytes: fc.uint8Array({ maxLength: 1600 }), asFec: fc.boolean() }), { maxLength: 6 }),
    jitterUs: fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 16 }),
    fecLagPackets: fc.integer({ min: 0, max: 30 }),
    restart: fc.option(fc.record({ at: fc.integer({ min: 1, max: 259 }), seq: fc.integer({ min: 0, max: 65535 }), sameSsrc: fc.boolean() })),
  })
  .map((r) => ({
    fec: r.shape && r.shape.columns * r.shape.rows <= 100 ? r.shape : null,
    count: r.count,
    startSeq: r.startSeq,
    ssrc: r.ssrc,
    intervalUs: r.intervalUs,
    sizes: Array.from({ length: r.count }, (_, i) => (r.variableSizes ? r.sizeSeed[i % r.sizeSeed.length] : 1316)),
    loss: r.loss,
    fecLoss: r.fecLoss,
    swaps: r.swaps,
    duplicates: r.duplicates,
    junk: r.junk,
    jitterUs: r.jitterUs,
    fecLagPackets: r.fecLagPackets,
    restart: r.restart,
  }));

/** Short, comparable stand-in for a payload's bytes. */
function digest(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex').slice(0, 12);
}

/** Deterministic payload bytes for packet i, so byte-exactness can be checked. */
function payloadOf(i: number, size: number): Uint8Array {
  const payload = new Uint8Array(size);
  for (let j = 0; j < size; j++) payload[j] = (i * 31 + j * 7 + (j >> 3)) & 0xff;
  return payload;
}

function buildPackets(s: Scenario): Uint8Array[] {
  return Array.from({ length: s.count }, (_, i) => {
    const restarted = s.restart && i >= s.restart.at;
    const seq = restarted ? s.restart!.seq + i - s.restart!.at : s.startSeq + i;
    const ssrc = restarted && !s.restart!.sameSsrc ? (s.ssrc + 1) >>> 0 : s.ssrc;
    return mediaPacket({ seq, timestamp: (i * 3000) >>> 0, ssrc, payload: payloadOf(i, s.sizes[i]), marker: i % 7 === 0 ? 1 : 0 });
  });
}

/** The event stream a lossy, reordering network would deliver for the scenario. */
function events(s: Scenario): Event[] {
  const packets = buildPackets(s);
  const lost = new Set(s.loss);
  const order = packets.map((_, i) => i);
  for (const at of s.swaps) if (at + 1 < order.length) [order[at], order[at + 1]] = [order[at + 1], order[at]];
  const timeline: { position: number; event: Omit<Event, 'now'> }[] = [];
  order.forEach((i, position) => {
    if (!lost.has(i)) timeline.push({ position, event: { kind: 'media', bytes: packets[i] } });
    if (s.duplicates.includes(i)) timeline.push({ position: position + 0.5, event: { kind: 'media', bytes: packets[i] } });
  });
  if (s.fec) {
    // FEC never spans an encoder restart: each run of numbering has its own matrices.
    const { rows, columns } = fecFor(packets.slice(0, s.restart?.at ?? packets.length), s.fec.columns, s.fec.rows);
    const fecLost = new Set(s.fecLoss);
    rows.forEach((bytes, r) => {
      if (!fecLost.has(r)) timeline.push({ position: (r + 1) * s.fec!.columns + 0.25, event: { kind: 'fec', bytes } });
    });
    const matrix = s.fec.columns * s.fec.rows;
    columns.forEach((bytes, c) => {
      const m = Math.floor(c / s.fec!.columns);
      const spread = (c % s.fec!.columns) * s.fec!.rows;
      if (!fecLost.has(100 + c)) timeline.push({ position: (m + 1) * matrix + spread + s.fecLagPackets + 0.75, event: { kind: 'fec', bytes } });
    });
  }
  for (const j of s.junk) timeline.push({ position: j.at + 0.1, event: { kind: j.asFec ? 'fec' : 'media', bytes: j.bytes } });
  timeline.sort((a, b) => a.position - b.position);
  const out: Event[] = timeline.map((t, k) => ({ ...t.event, now: Math.floor(t.position * s.intervalUs) + s.jitterUs[k % s.jitterUs.length] }));
  // Arrival times never go backwards on one socket; keep them monotonic like a real clock.
  for (let k = 1; k < out.length; k++) if (out[k].now < out[k - 1].now) out[k].now = out[k - 1].now;
  const end = (out.at(-1)?.now ?? 0) + 10_000_000;
  out.push({ kind: 'tick', bytes: new Uint8Array(0), now: end });
  return out;
}

function runWasm(s: Scenario, evs: Event[]): { out: Out[]; stats: Record<string, number> } {
  const receiver = new WasmReceiver({ fec: s.fec });
  const out: Out[] = [];
  const sink = (payload: Uint8Array, seq: number, recovered: boolean) => out.push({ seq, recovered, payload: digest(payload) });
  for (const e of evs) {
    if (e.kind === 'media') receiver.pushMedia(e.bytes, e.now, sink);
    else if (e.kind === 'fec') receiver.pushFec(e.bytes, e.now, sink);
    else receiver.tick(e.now, sink);
  }
  return { out, stats: receiver.readStats() };
}

function runReference(s: Scenario, evs: Event[]): { out: Out[]; stats: Record<string, number>; jitterMs: number } {
  const receiver = new ReferenceReceiver({ fec: s.fec });
  const out: Out[] = [];
  for (const e of evs) {
    const released = e.kind === 'media' ? receiver.pushMedia(e.bytes, e.now) : e.kind === 'fec' ? receiver.pushFec(e.bytes, e.now) : receiver.tick(e.now);
    for (const r of released) out.push({ seq: r.extendedSeq, recovered: r.recovered, payload: digest(r.payload) });
  }
  return { out, stats: receiver.stats, jitterMs: receiver.jitterMs };
}

/** Every counter the receiver keeps (the gauges depend on timing the reference does not model). */
const COUNTERS = RECEIVER_STATS.filter((name) => !isGauge(name)) as (keyof ReferenceReceiver['stats'])[];

describe('wasm-core receiver agrees with the TypeScript reference', () => {
  it('on random streams with loss, reordering, duplicates, FEC and junk', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const evs = events(s);
        const wasm = runWasm(s, evs);
        const ref = runReference(s, evs);
        assert.deepEqual(wasm.out, ref.out);
        for (const name of COUNTERS) assert.equal(wasm.stats[name], ref.stats[name], name);
        assert.equal(wasm.stats.jitterMs, ref.jitterMs);
        assert.equal(wasm.stats.overflow, 0);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 150) },
    );
  });

  it('on pure random datagrams (hostile input): no throw, everything counted', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ bytes: fc.uint8Array({ maxLength: 2000 }), asFec: fc.boolean() }), { maxLength: 200 }), (datagrams) => {
        const wasm = new WasmReceiver({ fec: { columns: 5, rows: 10 }, payloadType: -1 });
        const ref = new ReferenceReceiver({ fec: { columns: 5, rows: 10 }, payloadType: -1 });
        let released = 0;
        datagrams.forEach((d, i) => {
          const count = d.asFec ? wasm.pushFec(d.bytes, i * 1000, () => undefined) : wasm.pushMedia(d.bytes, i * 1000, () => undefined);
          const refCount = (d.asFec ? ref.pushFec(d.bytes, i * 1000) : ref.pushMedia(d.bytes, i * 1000)).length;
          assert.equal(count, refCount);
          released += count;
        });
        const stats = wasm.readStats();
        assert.equal(stats.received + stats.fecReceived, datagrams.length);
        for (const name of COUNTERS) assert.equal(stats[name], ref.stats[name], name);
        assert.ok(released <= stats.accepted + stats.recovered);
      }),
      { numRuns: 200 },
    );
  });
});

describe('wasm-core receiver against the truth', () => {
  it('repairs one loss per row byte-exactly with FEC and loses nothing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 10 }),
        fc.integer({ min: 4, max: 10 }),
        fc.integer({ min: 0, max: 65535 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
        (columns, rows, startSeq, picks) => {
          fc.pre(columns * rows <= 100);
          const count = columns * rows * 3;
          const loss = new Set<number>();
          // at most one loss per row, and not in the same column twice in a matrix (row FEC alone suffices)
          // Not in the first or last row: a loss before the first or after the last packet that arrives
          // is invisible (nothing says it is due).
          for (let row = 1; row < count / columns - 1; row++) loss.add(row * columns + (picks[row % picks.length] % columns));
          const s: Scenario = {
            fec: { columns, rows },
            count,
            startSeq,
            ssrc: 7,
            intervalUs: 1000,
            sizes: Array(count).fill(1316),
            loss: [...loss],
            fecLoss: [],
            swaps: [],
            duplicates: [],
            junk: [],
            jitterUs: [0],
            fecLagPackets: 0,
          };
          const result = runWasm(s, events(s));
          const expected = buildPackets(s).map((p) => digest(p.subarray(12)));
          assert.deepEqual(
            result.out.map((o) => o.payload),
            expected,
          );
          assert.equal(result.stats.lost, 0);
          assert.equal(result.stats.recovered, loss.size);
          assert.ok(result.out.filter((o) => o.recovered).length === loss.size);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('repairs a burst of up to L consecutive losses from column FEC', () => {
    for (const [columns, rows] of [
      [5, 10],
      [10, 10],
      [4, 4],
    ]) {
      for (let burst = 1; burst <= columns; burst++) {
        const count = columns * rows * 3;
        const start = columns * rows + 3; // inside the second matrix
        const loss = Array.from({ length: burst }, (_, i) => start + i);
        const s: Scenario = {
          fec: { columns, rows },
          count,
          startSeq: 65500,
          ssrc: 9,
          intervalUs: 1000,
          sizes: Array(count).fill(1316),
          loss,
          fecLoss: [],
          swaps: [],
          duplicates: [],
          junk: [],
          jitterUs: [0],
          fecLagPackets: 0,
        };
        const result = runWasm(s, events(s));
        assert.equal(result.stats.lost, 0, `${columns}x${rows} burst ${burst}`);
        assert.equal(result.stats.recovered, burst);
        assert.deepEqual(
          result.out.map((o) => o.payload),
          buildPackets(s).map((p) => digest(p.subarray(12))),
        );
      }
    }
  });

  it('reports a 2x2 square of losses as unrecoverable and never invents a packet', () => {
    const columns = 5;
    const rows = 5;
    const count = columns * rows * 2;
    const loss = [6, 7, 11, 12]; // rows 1-2, columns 1-2 of the first matrix
    const s: Scenario = {
      fec: { columns, rows },
      count,
      startSeq: 0,
      ssrc: 1,
      intervalUs: 1000,
      sizes: Array(count).fill(1316),
      loss,
      fecLoss: [],
      swaps: [],
      duplicates: [],
      junk: [],
      jitterUs: [0],
      fecLagPackets: 0,
    };
    const result = runWasm(s, events(s));
    const truth = new Map(buildPackets(s).map((p, i) => [i, digest(p.subarray(12))]));
    assert.equal(result.stats.lost, 4);
    assert.equal(result.stats.recovered, 0);
    for (const o of result.out) assert.equal(o.payload, truth.get(o.seq), `packet ${o.seq} is the original`);
  });

  it('without FEC releases reordered packets in order and counts them', () => {
    const s: Scenario = {
      fec: null,
      count: 100,
      startSeq: 65530,
      ssrc: 3,
      intervalUs: 2000,
      sizes: Array(100).fill(1316),
      loss: [],
      fecLoss: [],
      swaps: [10, 20, 30, 40],
      duplicates: [50],
      junk: [],
      jitterUs: [0],
      fecLagPackets: 0,
    };
    const result = runWasm(s, events(s));
    assert.deepEqual(
      result.out.map((o) => o.seq),
      Array.from({ length: 100 }, (_, i) => i),
    );
    assert.equal(result.stats.reordered, 4);
    assert.equal(result.stats.duplicates, 1);
    assert.equal(result.stats.lost, 0);
  });
});
