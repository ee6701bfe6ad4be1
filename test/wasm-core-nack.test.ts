import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { WasmNack } from '../wasm-core/host/nack.js';
import { ARRIVAL_FILLED, ARRIVAL_LATE, ARRIVAL_NEW, ARRIVAL_OLD, ARRIVAL_RECOVERED, NackConfig, ReferenceNack } from '../wasm-core/reference/nack.js';

/** PIDs and BLP bits of FCI words, back to the sequence numbers they ask for (16 bits). */
function requested(words: Iterable<number>): number[] {
  const seqs: number[] = [];
  for (const word of words) {
    const pid = word >>> 16;
    seqs.push(pid);
    for (let bit = 0; bit < 16; bit++) if (word & (1 << bit)) seqs.push((pid + bit + 1) & 0xffff);
  }
  return seqs;
}

type Step = { kind: 'packet'; seq: number; dtUs: number } | { kind: 'tick'; dtUs: number } | { kind: 'rtt'; rttUs: number };

/**
 * A sender's stream as a receiver sees it: mostly in order, some packets lost, some overtaken,
 * some sent again later (a retransmission), the odd far jump; ticks and RTT updates between.
 */
const steps = fc
  .array(
    fc.oneof(
      {
        weight: 12,
        arbitrary: fc.record({
          kind: fc.constant('next' as const),
          skip: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 6 })),
          dtUs: fc.integer({ min: 0, max: 4000 }),
        }),
      },
      {
        weight: 3,
        arbitrary: fc.record({ kind: fc.constant('back' as const), back: fc.integer({ min: 1, max: 300 }), dtUs: fc.integer({ min: 0, max: 4000 }) }),
      },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('tick' as const), dtUs: fc.integer({ min: 0, max: 60_000 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('rtt' as const), rttUs: fc.integer({ min: 0, max: 200_000 }) }) },
      {
        weight: 1,
        arbitrary: fc.record({ kind: fc.constant('jump' as const), skip: fc.integer({ min: 50, max: 5000 }), dtUs: fc.integer({ min: 0, max: 4000 }) }),
      },
    ),
    { maxLength: 400 },
  )
  .map((raw) => {
    let highest = 1000;
    return raw.map((r): Step => {
      if (r.kind === 'tick') return { kind: 'tick', dtUs: r.dtUs };
      if (r.kind === 'rtt') return { kind: 'rtt', rttUs: r.rttUs };
      if (r.kind === 'back') return { kind: 'packet', seq: Math.max(0, highest - r.back), dtUs: r.dtUs };
      highest += r.skip;
      return { kind: 'packet', seq: highest, dtUs: r.dtUs };
    });
  });

const configs = fc.record({
  window: fc.constantFrom(64, 256, 1024),
  reorderUs: fc.integer({ min: 0, max: 20_000 }),
  minIntervalUs: fc.integer({ min: 1000, max: 50_000 }),
  maxAttempts: fc.integer({ min: 1, max: 10 }),
  bufferUs: fc.integer({ min: 20_000, max: 2_000_000 }),
});

describe('wasm-core: the NACK schedule (RIST retransmission requests)', () => {
  it('WebAssembly agrees with the reference, arrival by arrival and request by request', () => {
    fc.assert(
      fc.property(configs, steps, (config: NackConfig, script) => {
        const wasm = new WasmNack(config);
        const reference = new ReferenceNack(config);
        let now = 0;
        for (const step of script) {
          if (step.kind === 'rtt') {
            wasm.setRtt(step.rttUs);
            reference.setRtt(step.rttUs);
            continue;
          }
          now += step.dtUs;
          if (step.kind === 'packet') assert.equal(wasm.arrived(step.seq, now), reference.arrived(step.seq, now), `arrival of ${step.seq} at ${now}`);
          else assert.deepEqual([...wasm.due(now)], reference.due(now), `requests at ${now}`);
        }
        assert.deepEqual(wasm.stats(), reference.stats);
      }),
      { numRuns: 300 },
    );
  });

  it('asks only for missing packets, at most maxAttempts times, never once no answer could come in time; every gap ends counted once', () => {
    fc.assert(
      fc.property(configs, steps, fc.integer({ min: 0, max: 100_000 }), (config: NackConfig, script, rttUs) => {
        const nack = new WasmNack(config);
        nack.setRtt(rttUs);
        const received = new Set<number>();
        const noticed = new Map<number, number>();
        const asked = new Map<number, number>();
        let highest = -1;
        let now = 0;
        for (const step of script) {
          if (step.kind === 'rtt') continue;
          now += step.dtUs;
          if (step.kind === 'packet') {
            const verdict = nack.arrived(step.seq, now);
            if (step.seq > highest) {
              assert.equal(verdict, ARRIVAL_NEW);
              for (let s = Math.max(highest + 1, step.seq - config.window + 1); s < step.seq && highest >= 0; s++) noticed.set(s, now);
              highest = step.seq;
            } else if (received.has(step.seq)) assert.equal(verdict, ARRIVAL_OLD, 'a duplicate changes nothing');
            else assert.ok([ARRIVAL_RECOVERED, ARRIVAL_FILLED, ARRIVAL_LATE, ARRIVAL_OLD].includes(verdict));
            if (verdict === ARRIVAL_RECOVERED) assert.ok((asked.get(step.seq) ?? 0) > 0, `${step.seq} counted recovered without a request`);
            if (verdict === ARRIVAL_FILLED) assert.equal(asked.get(step.seq) ?? 0, 0);
            received.add(step.seq);
            continue;
          }
          for (const seq16 of requested(nack.due(now))) {
            // The newest missing packet with those 16 bits (older ones are out of the window).
            const seq = [...noticed.keys()].filter((s) => (s & 0xffff) === seq16 && !received.has(s)).pop();
            assert.ok(seq !== undefined, `request for ${seq16}, which is not missing`);
            asked.set(seq, (asked.get(seq) ?? 0) + 1);
            assert.ok(asked.get(seq)! <= config.maxAttempts, `${seq} asked more than ${config.maxAttempts} times`);
            assert.ok(now - noticed.get(seq)! >= config.reorderUs, `${seq} asked for before the reorder allowance`);
            assert.ok(now + rttUs <= noticed.get(seq)! + config.bufferUs, `${seq} asked for when no answer could arrive in time`);
          }
        }
        const stats = nack.stats();
        assert.equal(
          stats.requests,
          [...asked.values()].reduce((a, b) => a + b, 0),
        );
        // Every gap noticed is, in the end, recovered, filled, lost or still waiting: never two of those.
        assert.ok(stats.recovered + stats.filled + stats.lost <= stats.missing, JSON.stringify(stats));
      }),
      { numRuns: 300 },
    );
  });

  it('a worked example: one loss, asked for after the reorder allowance, again after 1.5 RTT, recovered', () => {
    const nack = new WasmNack({ window: 64, reorderUs: 5000, minIntervalUs: 10_000, maxAttempts: 3, bufferUs: 500_000 });
    nack.setRtt(40_000);
    for (let seq = 100; seq <= 102; seq++) assert.equal(nack.arrived(seq, seq * 1000), ARRIVAL_NEW);
    assert.equal(nack.arrived(105, 105_000), ARRIVAL_NEW, '103 and 104 missing');
    assert.deepEqual([...nack.due(108_000)], [], 'within the reorder allowance');
    assert.deepEqual(requested(nack.due(110_000)), [103, 104], 'one FCI word: PID 103, BLP bit 0 for 104');
    assert.equal(nack.due(110_000)[0], undefined);
    assert.equal(nack.arrived(104, 120_000), ARRIVAL_RECOVERED);
    assert.deepEqual(requested(nack.due(169_000)), [], 'not again before 1.5 x RTT (60 ms)');
    assert.deepEqual(requested(nack.due(170_000)), [103]);
    assert.equal(nack.arrived(103, 200_000), ARRIVAL_RECOVERED);
    assert.equal(nack.arrived(103, 201_000), ARRIVAL_OLD, 'a second copy is a duplicate');
    assert.deepEqual(nack.stats(), { missing: 2, requests: 3, fciWords: 2, recovered: 2, filled: 0, late: 0, lost: 0 });
  });

  it('a packet whose answer cannot come back before its deadline is not asked for, and is lost at the deadline', () => {
    const nack = new WasmNack({ window: 64, reorderUs: 0, minIntervalUs: 10_000, maxAttempts: 5, bufferUs: 100_000 });
    nack.setRtt(150_000);
    nack.arrived(1, 0);
    nack.arrived(3, 0);
    assert.deepEqual([...nack.due(0)], [], 'the round trip is longer than the buffer');
    nack.arrived(4, 100_000);
    assert.equal(nack.stats().lost, 1);
    assert.equal(nack.arrived(2, 100_001), ARRIVAL_LATE);
    assert.deepEqual(nack.stats(), { missing: 1, requests: 0, fciWords: 0, recovered: 0, filled: 0, late: 1, lost: 1 });
  });
});
