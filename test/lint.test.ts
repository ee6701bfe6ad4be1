import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

const root = process.cwd();
const lint = () => import(pathToFileURL(path.join(root, 'scripts', 'lint-layers.mjs')).href);

/** Writes a scratch source tree: { 'media/a.ts': 'import ...' }. */
async function tree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hls-lint-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

describe('lint: format and layers', () => {
  it('the tree is formatted (prettier --check)', () => {
    const run = spawnSync(path.join(root, 'node_modules', '.bin', 'prettier'), ['--check', '.'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.status, 0, `run "npx prettier --write ." to format:\n${run.stdout}${run.stderr}`);
  });

  it('control-plane/src keeps its layer rules, and AssemblyScript its line length', async () => {
    const { checkLayers, checkLineLengths } = await lint();
    assert.deepEqual(checkLayers(path.join(root, 'control-plane', 'src')), []);
    assert.deepEqual(checkLineLengths(path.join(root, 'wasm-core', 'assembly')), []);
  });

  it('rejects media/ importing a domain, a domain under common/, and layers importing each other', async () => {
    const { checkLayers } = await lint();
    const dir = await tree({
      'main.ts': "import { a } from './media/a.js';\nimport { s } from './streams/s.js';\n",
      'media/a.ts': "import { s } from '../streams/s.js';\nexport const a = s;\n",
      'common/c.ts': "import type { N } from '../nodes/n.js';\n",
      'streams/s.ts': "import { n } from '../nodes/n.js';\nexport const s = n;\n",
      'nodes/n.ts': "import { s } from '../streams/s.js';\nexport const n = 1;\n",
    });
    try {
      const problems: string[] = checkLayers(dir);
      assert.ok(
        problems.some((p) => /^media\/a\.ts: media\/ may not import streams\//.test(p)),
        problems.join('\n'),
      );
      assert.ok(
        problems.some((p) => /^common\/c\.ts: common\/ may not import nodes\//.test(p)),
        problems.join('\n'),
      );
      assert.ok(
        problems.some((p) => /layers import each other: (streams -> nodes -> streams|nodes -> streams -> nodes)/.test(p)),
        problems.join('\n'),
      );
      assert.equal(problems.length, 3, problems.join('\n'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
