import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CwndMath } from '../wasm-core/host/cwnd.js';
import { referencePacingBytesPerSecond, referenceSelectRendition, referenceThroughputKbps } from '../wasm-core/reference/cwnd.js';
import { REPO_ROOT } from './support/process.js';

const math = new CwndMath();

/** nginx's $tcpinfo_* as they come: microseconds, segments; plus an MSS and a loss rate. */
const tcpInfo = fc.record({
  rttUs: fc.oneof(fc.integer({ min: 0, max: 2_000_000 }), fc.constant(23)),
  rttvarUs: fc.integer({ min: 0, max: 500_000 }),
  cwnd: fc.integer({ min: 0, max: 10_000 }),
  mss: fc.oneof(fc.constant(1448), fc.integer({ min: 0, max: 9000 })),
  loss: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
});
const ladder = fc.array(fc.integer({ min: 50, max: 50_000 }), { maxLength: 12 }).map((a) => a.sort((x, y) => x - y));

describe('cwnd math', () => {
  it('WebAssembly agrees with the reference', () => {
    fc.assert(
      fc.property(tcpInfo, ladder, fc.double({ min: 0.1, max: 1, noNaN: true }), fc.double({ min: 0.5, max: 3, noNaN: true }), (t, rungs, safety, gain) => {
        const etp = math.throughputKbps(t.rttUs, t.rttvarUs, t.cwnd, t.mss, t.loss);
        assert.equal(etp, referenceThroughputKbps(t.rttUs, t.rttvarUs, t.cwnd, t.mss, t.loss));
        assert.equal(math.pacingBytesPerSecond(etp, gain), referencePacingBytesPerSecond(etp, gain));
        assert.equal(math.selectRendition(rungs, etp, safety), referenceSelectRendition(rungs, etp, safety));
      }),
      { numRuns: 500 },
    );
  });

  it('matches hand-computed values', () => {
    // 10 segments x 1448 B per 20 ms = 5.792 Mbit/s
    assert.equal(math.throughputKbps(20_000, 0, 10, 1448, 0), 5792);
    // RTTVAR lengthens the effective RTT: 20 ms + 5 ms
    assert.equal(math.throughputKbps(20_000, 5_000, 10, 1448, 0), 4633.6);
    // 1% loss caps a large window at MSS/RTT x 1.2247/0.1
    assert.ok(Math.abs(math.throughputKbps(20_000, 0, 1000, 1448, 0.01) - 7093.72) < 0.01);
    assert.equal(math.throughputKbps(0, 0, 10, 1448, 0), 0, 'no RTT sample yet');
    assert.equal(math.pacingBytesPerSecond(8000, 1), 1_000_000);
    assert.equal(math.selectRendition([800, 2500, 6000], 5792, 0.8), 1);
    assert.equal(math.selectRendition([800, 2500, 6000], 100, 0.8), 0, 'the lowest rung always plays');
    assert.equal(math.selectRendition([], 5000, 0.8), -1);
    assert.throws(() => math.selectRendition(Array(33).fill(1), 5000, 0.8), /at most 32/);
  });

  it('the njs build (wasm2js) loads under njs and computes exactly what the Node build does', () => {
    const inputs = fc.sample(fc.tuple(tcpInfo, ladder, fc.double({ min: 0.1, max: 1, noNaN: true })), { numRuns: 200, seed: 42 });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hls-njs-'));
    try {
      const script = [
        `import core from '${path.join(REPO_ROOT, 'wasm-core', 'build', 'njs', 'wasm-core.js')}';`,
        `var inputs = ${JSON.stringify(inputs)};`,
        'for (var i = 0; i < inputs.length; i++) {',
        '  var t = inputs[i][0], rungs = inputs[i][1], safety = inputs[i][2];',
        '  var etp = core.estimateThroughputKbps(t.rttUs, t.rttvarUs, t.cwnd, t.mss, t.loss);',
        '  var view = new Float64Array(core.memory.buffer, core.cwndScratchPtr(), 32);',
        '  for (var j = 0; j < rungs.length; j++) view[j] = rungs[j];',
        // one line per result: njs's console.log cuts long lines
        '  console.log(JSON.stringify([etp, core.pacingRateBytesPerSecond(etp, 1.25), core.selectRendition(rungs.length, etp, safety)]));',
        '}',
      ].join('\n');
      const file = path.join(dir, 'check.js');
      writeFileSync(file, script);
      const result = spawnSync('njs', [file], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
      assert.equal(result.status, 0, `njs failed: ${result.stderr}${result.stdout}`);
      const fromNjs: number[][] = result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      assert.equal(fromNjs.length, inputs.length);
      inputs.forEach(([t, rungs, safety], i) => {
        const etp = math.throughputKbps(t.rttUs, t.rttvarUs, t.cwnd, t.mss, t.loss);
        assert.deepEqual(fromNjs[i], [etp, math.pacingBytesPerSecond(etp, 1.25), math.selectRendition(rungs, etp, safety)], `input ${i}: ${JSON.stringify(t)}`);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
