import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

  it('rules stated once: no copy of the slug rule, the token form, the HLS file names or the assumed MSS in nginx templates, njs modules, TypeScript or AssemblyScript', async () => {
    const { SLUG_SOURCE } = await import('../control-plane/src/common/slug.js');
    const { TOKEN_PATTERN } = await import('../control-plane/src/edge/signing/playback-token.js');
    const copies = [SLUG_SOURCE, TOKEN_PATTERN.source, 'index.m3u8', 'index\\.m3u8', 'steered.m3u8', 'steered\\.m3u8', '1448'];
    const homes = new Set([
      'control-plane/src/common/slug.ts',
      'nginx/njs/token-check.ts',
      'control-plane/src/media/hls-layout.ts',
      'wasm-core/shared-limits.ts',
    ]);
    const run = spawnSync('git', ['ls-files', 'nginx', 'control-plane/src', 'wasm-core'], { cwd: root, encoding: 'utf8' });
    const found: string[] = [];
    for (const file of run.stdout.split('\n').filter((f) => /\.(ts|js|template|conf)$/.test(f) && !homes.has(f))) {
      const code = (await readFile(path.join(root, file), 'utf8'))
        .split('\n')
        .filter((line) => !/^\s*(\/\/|\*|\/\*|#)/.test(line)) // comments may name the files
        .join('\n');
      for (const copy of copies) if (code.includes(copy)) found.push(`${file}: ${copy}`);
    }
    assert.deepEqual(found, []);
  });

  it('every $hls_* variable the njs modules read (hls-variables.ts) is defined by a template (set, map or js_set)', async () => {
    const { default: variables } = await import(pathToFileURL(path.join(root, 'dist', 'njs', 'hls-variables.js')).href);
    const templates = await Promise.all(
      ['edge-server', 'origin-server', 'signed-access'].map((t) => readFile(path.join(root, 'nginx', `${t}.conf.template`), 'utf8')),
    );
    const text = templates.join('\n');
    const undefinedNames = (variables.HLS_VARIABLES as string[]).filter(
      (name) => !new RegExp(`^\\s*(set|js_set) \\$${name}\\s|^map \\S+ \\$${name} \\{`, 'm').test(text),
    );
    assert.deepEqual(undefinedNames, []);
  });
});
