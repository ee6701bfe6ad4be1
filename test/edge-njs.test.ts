import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { issueToken, newSigningKey, verifyToken } from '../control-plane/src/edge/signing/playback-token.js';
import { installNjsModules } from '../control-plane/src/edge/njs-modules.js';
import { CwndMath } from '../wasm-core/host/cwnd.js';

/** Runs `body` under the njs command-line tool with the modules' test entry points (testing.js) as `edge`; returns its printed lines. */
function runNjs(dir: string, body: string): string[] {
  const file = path.join(dir, `case-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, `import edge from 'testing.js';\n${body}\n`);
  const result = spawnSync('njs', ['-p', dir, file], { encoding: 'utf8' });
  assert.equal(result.status, 0, `njs failed: ${result.stderr}${result.stdout}`);
  return result.stdout.trim().split('\n');
}

describe('edge.js under njs agrees with the control plane', () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'hls-edge-njs-'));
    await installNjsModules(dir, { testing: true });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('signed URL verdicts: valid, expired, tampered, wrong stream, rotated key, IP binding', () => {
    const old = newSigningKey();
    const current = newSigningKey();
    const now = 1_800_000_000;
    const keysText = `${current.id}:${current.secret} ${old.id}:${old.secret}`;
    const token = issueToken(current, { streamKey: 'demo', expiresAt: now + 300, clientIp: null });
    const bound = issueToken(current, { streamKey: 'demo', expiresAt: now + 300, clientIp: '192.0.2.4' });
    const cases: [string, string, string, number][] = [
      [token, 'demo', '10.0.0.1', now],
      [token, 'demo', '10.0.0.1', now + 300],
      [token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA'), 'demo', '10.0.0.1', now],
      [token, 'other', '10.0.0.1', now],
      [issueToken(old, { streamKey: 'demo', expiresAt: now + 300, clientIp: null }), 'demo', '10.0.0.1', now],
      [issueToken(newSigningKey(), { streamKey: 'demo', expiresAt: now + 300, clientIp: null }), 'demo', '10.0.0.1', now],
      [bound, 'demo', '192.0.2.4', now],
      [bound, 'demo', '192.0.2.5', now],
      ['', 'demo', '10.0.0.1', now],
      ['not.a.token', 'demo', '10.0.0.1', now],
    ];
    const njs = runNjs(
      dir,
      cases
        .map(
          ([t, s, ip, n]) =>
            `console.log(edge.verifyToken(${JSON.stringify(t)}, ${JSON.stringify(keysText)}, ${JSON.stringify(s)}, ${JSON.stringify(ip)}, ${n}));`,
        )
        .join('\n'),
    );
    const node = cases.map(([t, s, ip, n]) => verifyToken(t || undefined, [current, old], s, ip, n));
    assert.deepEqual(njs, node);
    assert.deepEqual(node, ['ok', 'expired', 'bad-signature', 'bad-signature', 'ok', 'unknown-key', 'ok', 'bad-signature', 'missing', 'malformed']);
  });

  it("CMSD mb: the rung wasm-core picks under njs equals the Node build's choice", () => {
    const ladder = [400, 800, 1600, 3200, 6400];
    const throughputs = [100, 500, 999, 1000, 2100, 4000, 8000, 9000, 1e6];
    const njs = runNjs(
      dir,
      throughputs.map((etp) => `console.log(edge.maxSuggestedBitrate(${JSON.stringify(ladder.join(','))}, ${etp}));`).join('\n') +
        `\nconsole.log(edge.maxSuggestedBitrate('', 5000));`,
    );
    const math = new CwndMath();
    // No mb when the top transcoded rung fits: the source above the ladder may fit too.
    const expected = throughputs.map((etp) => {
      const best = math.selectRendition(ladder, etp, 0.8);
      return best < 0 || best === ladder.length - 1 ? 0 : ladder[best];
    });
    assert.deepEqual(njs.map(Number), [...expected, 0]);
    assert.ok(expected.includes(0) && expected.includes(3200), 'both a cap and no cap among the cases');
  });

  it('carries the token into every URI of a playlist, keeping other parameters', () => {
    const playlist = [
      '#EXTM3U',
      '#EXT-X-CONTENT-STEERING:SERVER-URI="http://cp/steering/demo.json",PATHWAY-ID="a"',
      '#EXT-X-STREAM-INF:BANDWIDTH=1',
      'http://a:8081/live/demo/source/index.m3u8',
      '#EXT-X-MAP:URI="init.mp4"',
      'seg1.ts?x=1',
      '',
    ].join('\n');
    const [out] = runNjs(dir, `console.log(JSON.stringify(edge.playlistWithToken(${JSON.stringify(playlist)}, 'K.1.a.S')));`);
    assert.equal(
      JSON.parse(out),
      [
        '#EXTM3U',
        '#EXT-X-CONTENT-STEERING:SERVER-URI="http://cp/steering/demo.json?token=K.1.a.S",PATHWAY-ID="a"',
        '#EXT-X-STREAM-INF:BANDWIDTH=1',
        'http://a:8081/live/demo/source/index.m3u8?token=K.1.a.S',
        '#EXT-X-MAP:URI="init.mp4?token=K.1.a.S"',
        'seg1.ts?x=1&token=K.1.a.S',
        '',
      ].join('\n'),
    );
  });

  it('parses CMCD (CTA-5004): numbers, quoted strings, bare booleans, tokens', () => {
    const [out] = runNjs(
      dir,
      `console.log(JSON.stringify(edge.parseCmcd('bl=21300,br=3200,bs,d=4004,mtp=25400,ot=v,sid="6e2fb550-c457-11e9-bb97-0800200c9a66",su', {})));`,
    );
    assert.deepEqual(JSON.parse(out), { bl: 21300, br: 3200, bs: true, d: 4004, mtp: 25400, ot: 'v', sid: '6e2fb550-c457-11e9-bb97-0800200c9a66', su: true });
  });
});
