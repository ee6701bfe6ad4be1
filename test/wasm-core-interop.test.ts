import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { WasmReceiver } from '../wasm-core/host/receiver.js';
import { CapturedDatagram, decodeCapture } from './support/capture.js';
import { REPO_ROOT } from './support/process.js';

/** Real encoder output, recorded by test/fixtures/fec/record.ts. */
const FIXTURES = [
  { file: 'ffmpeg-l5-d10.hlscap', columns: 5, rows: 10 },
  { file: 'ffmpeg-l10-d5.hlscap', columns: 10, rows: 5 },
  { file: 'gstreamer-l5-d10.hlscap', columns: 5, rows: 10 },
];

const seqOf = (p: Uint8Array) => (p[2] << 8) | p[3];
const snBaseOf = (fec: Uint8Array) => (fec[12] << 8) | fec[13];

interface Loaded {
  capture: CapturedDatagram[];
  media: Uint8Array[]; // in sequence order
  /** Index (into media) of the first packet of each complete matrix that has all its FEC. */
  matrices: number[];
}

function load(file: string, columns: number, rows: number): Loaded {
  const capture = decodeCapture(readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'fec', file)));
  const media = capture.filter((d) => d.stream === 'media').map((d) => d.bytes);
  const first = seqOf(media[0]);
  media.sort((a, b) => ((seqOf(a) - first) & 0xffff) - ((seqOf(b) - first) & 0xffff));
  media.forEach((p, i) => assert.equal(seqOf(p), (first + i) & 0xffff, `${file}: the capture itself has no gaps`));
  const indexOf = (seq: number) => (seq - first) & 0xffff;
  const columnBases = new Set(capture.filter((d) => d.stream === 'column').map((d) => indexOf(snBaseOf(d.bytes))));
  const rowBases = new Set(capture.filter((d) => d.stream === 'row').map((d) => indexOf(snBaseOf(d.bytes))));
  const matrices: number[] = [];
  for (const start of rowBases) {
    const complete =
      Array.from({ length: columns }, (_, c) => columnBases.has(start + c)).every(Boolean) &&
      Array.from({ length: rows }, (_, r) => rowBases.has(start + r * columns)).every(Boolean);
    // Column FEC of matrix m starts at a multiple of L x D from the first column FEC's base.
    if (complete && start > 0 && start + columns * rows <= media.length && columnBases.has(start) && [...columnBases].some((b) => b === start))
      matrices.push(start);
  }
  const aligned = matrices.filter((m) => (m - Math.min(...columnBases)) % (columns * rows) === 0).sort((a, b) => a - b);
  assert.ok(aligned.length >= 3, `${file}: at least three complete matrices, found ${aligned.length}`);
  return { capture, media, matrices: aligned };
}

interface Replay {
  released: { seq: number; payload: Buffer; recovered: boolean }[];
  stats: ReturnType<WasmReceiver['readStats']>;
}

/** Replays the capture with the given media packets dropped, at the recorded arrival times. */
function replay(loaded: Loaded, columns: number, rows: number, dropIndexes: Set<number>): Replay {
  const receiver = new WasmReceiver({ fec: { columns, rows } });
  const released: Replay['released'] = [];
  const sink = (payload: Uint8Array, seq: number, recovered: boolean) => released.push({ seq, payload: Buffer.from(payload), recovered });
  const first = seqOf(loaded.media[0]);
  let last = 0;
  for (const d of loaded.capture) {
    last = d.atUs;
    if (d.stream === 'media') {
      if (dropIndexes.has((seqOf(d.bytes) - first) & 0xffff)) continue;
      receiver.pushMedia(d.bytes, d.atUs, sink);
    } else if (d.stream === 'column' || d.stream === 'row') {
      receiver.pushFec(d.bytes, d.atUs, sink);
    }
  }
  receiver.tick(last + 10_000_000, sink);
  return { released, stats: receiver.readStats() };
}

function assertExact(loaded: Loaded, result: Replay, dropped: Set<number>, label: string): void {
  assert.equal(result.stats.lost, 0, `${label}: nothing lost`);
  assert.equal(result.stats.recovered, dropped.size, `${label}: every dropped packet recovered`);
  assert.equal(result.released.length, loaded.media.length, `${label}: every packet released`);
  result.released.forEach((r, i) => {
    assert.ok(r.payload.equals(Buffer.from(loaded.media[i].subarray(12))), `${label}: packet ${i} byte-exact`);
    assert.equal(r.recovered, dropped.has(i), `${label}: packet ${i} recovered flag`);
  });
}

for (const fixture of FIXTURES) {
  const { columns: L, rows: D } = fixture;
  describe(`FEC interop: ${fixture.file} (L=${L}, D=${D})`, () => {
    const loaded = load(fixture.file, L, D);

    it('undamaged: every packet released in order, nothing recovered or lost', () => {
      const result = replay(loaded, L, D, new Set());
      assertExact(loaded, result, new Set(), 'undamaged');
      assert.equal(result.stats.fecMismatch, 0);
      assert.equal(result.stats.fecMalformed, 0);
    });

    it('one loss in every row of the complete matrices: repaired byte-exactly', () => {
      const dropped = new Set<number>();
      for (const m of loaded.matrices) for (let r = 0; r < D; r++) dropped.add(m + r * L + ((r * 3 + m) % L));
      assertExact(loaded, replay(loaded, L, D, dropped), dropped, 'one per row');
    });

    it('one loss in every column (a diagonal): repaired byte-exactly', () => {
      const dropped = new Set<number>();
      for (const m of loaded.matrices) for (let c = 0; c < L; c++) dropped.add(m + (c % D) * L + c);
      assertExact(loaded, replay(loaded, L, D, dropped), dropped, 'one per column');
    });

    it(`bursts of 2 to ${L} consecutive losses: repaired byte-exactly by column FEC`, () => {
      for (let burst = 2; burst <= L; burst++) {
        const m = loaded.matrices[1];
        const dropped = new Set(Array.from({ length: burst }, (_, i) => m + L + 1 + i));
        assertExact(loaded, replay(loaded, L, D, dropped), dropped, `burst ${burst}`);
      }
    });

    it('a 2x2 square of losses is reported unrecoverable and nothing is repaired wrongly', () => {
      const m = loaded.matrices[1];
      const dropped = new Set([m + L + 1, m + L + 2, m + 2 * L + 1, m + 2 * L + 2]);
      const result = replay(loaded, L, D, dropped);
      assert.equal(result.stats.lost, 4);
      assert.equal(result.stats.recovered, 0);
      assert.equal(result.released.length, loaded.media.length - 4);
      const bySeq = new Map(loaded.media.map((p, i) => [i, Buffer.from(p.subarray(12))]));
      for (const r of result.released) assert.ok(r.payload.equals(bySeq.get(r.seq)!), `packet ${r.seq} is the original`);
    });

    it(`a burst longer than L (${L + D + 1}) cannot be fully repaired and is counted, never invented`, () => {
      const m = loaded.matrices[1];
      const dropped = new Set(Array.from({ length: L + D + 1 }, (_, i) => m + i));
      const result = replay(loaded, L, D, dropped);
      assert.ok(result.stats.lost > 0, 'some packets reported lost');
      assert.equal(result.stats.lost + result.stats.recovered, dropped.size);
      const bySeq = new Map(loaded.media.map((p, i) => [i, Buffer.from(p.subarray(12))]));
      for (const r of result.released) assert.ok(r.payload.equals(bySeq.get(r.seq)!), `packet ${r.seq} is the original`);
    });
  });
}
