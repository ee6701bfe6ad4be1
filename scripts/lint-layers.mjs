// The layer rules of control-plane/src, checked from the import statements themselves (TypeScript's
// own pre-processor finds them). A layer is a top-level directory; files directly in src/ are the
// composition root and may import anything.
//
//   media/     imports nothing outside itself (it runs in ingest workers and tests, free of Nest)
//   common/    imports nothing outside itself
//   config/    imports common/ only
//   database/  imports common/ and config/ only (and migrations/, outside src/)
//   nginx/     imports common/ only (process supervision, below origin and edge)
//   and no two layers import each other, directly or through others.
//
// AssemblyScript (wasm-core/assembly/) is not formatted by prettier, whose parser refuses its
// decorators; its lines are held to the same 160 columns here.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Layers that may import only the listed ones (besides themselves). */
export const ALLOWED_IMPORTS = {
  media: [],
  common: [],
  config: ['common'],
  database: ['common', 'config'],
  nginx: ['common'],
};

export const MAX_LINE = 160;

function sourceFiles(dir, extension) {
  return readdirSync(dir, { recursive: true })
    .filter((f) => f.endsWith(extension))
    .map((f) => path.join(dir, f));
}

/** Every relative import between layers of `src`: { from, to, file, specifier }. */
export function layerImports(src) {
  const found = [];
  for (const file of sourceFiles(src, '.ts')) {
    const [from, ...rest] = path.relative(src, file).split(path.sep);
    if (rest.length === 0) continue; // the composition root
    for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = path.relative(src, path.resolve(path.dirname(file), fileName));
      const to = target.startsWith('..') ? '(outside src)' : target.split(path.sep)[0];
      if (to !== from) found.push({ from, to, file: path.relative(src, file), specifier: fileName, target });
    }
  }
  return found;
}

/** A cycle in the layer graph, as a list of layers, or null. */
function findCycle(edges) {
  const graph = new Map();
  for (const { from, to } of edges) graph.set(from, new Set([...(graph.get(from) ?? []), to]));
  const state = new Map(); // 1: on the current path, 2: done
  const stack = [];
  const visit = (node) => {
    state.set(node, 1);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 1) return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(node, 2);
    return null;
  };
  for (const node of graph.keys()) {
    if (state.has(node)) continue;
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

/** Violations of the layer rules in `src`, one message each. */
export function checkLayers(src) {
  const imports = layerImports(src);
  const problems = [];
  for (const i of imports) {
    const allowed = ALLOWED_IMPORTS[i.from];
    const outsideOk = i.from === 'database' && i.target.startsWith(path.join('..', '..', 'migrations'));
    if (allowed && !allowed.includes(i.to) && !outsideOk) {
      problems.push(
        `${i.file}: ${i.from}/ may not import ${i.to}/ ('${i.specifier}'); ${i.from}/ may import ${allowed.length ? allowed.join(', ') : 'nothing outside itself'}`,
      );
    }
  }
  const cycle = findCycle(imports.filter((i) => i.to !== '(outside src)'));
  if (cycle) {
    const witnesses = cycle.slice(1).map((to, n) => imports.find((i) => i.from === cycle[n] && i.to === to).file);
    problems.push(`layers import each other: ${cycle.join(' -> ')} (${witnesses.join(', ')})`);
  }
  return problems;
}

/** Lines past MAX_LINE in the files prettier does not format. */
export function checkLineLengths(dir) {
  const problems = [];
  for (const file of sourceFiles(dir, '.ts')) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, n) => {
        if (line.length > MAX_LINE) problems.push(`${file}:${n + 1}: ${line.length} columns (at most ${MAX_LINE})`);
      });
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
  const problems = [...checkLayers(path.join(root, 'control-plane', 'src')), ...checkLineLengths(path.join(root, 'wasm-core', 'assembly'))];
  for (const p of problems) console.error(p);
  console.log(problems.length ? `${problems.length} layer or line-length problem(s)` : 'layers: ok');
  process.exitCode = problems.length ? 1 : 0;
}
