import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { freeLoopbackPort } from '../control-plane/src/database/embedded-postgres.js';
import { installNjsModules } from '../control-plane/src/edge/njs-modules.js';
import { NginxInstance } from '../control-plane/src/nginx/nginx-instance.js';
import { launchChromium } from './support/browser.js';
import { startEncoder } from './support/encoder.js';
import { freeUdpPortBlock } from './support/ports.js';
import { eventually, startSystem, SystemUnderTest } from './support/system.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quiet = { log: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) };

/**
 * The edge tier as `npm start` runs it with HLS_EDGE_PORT, plus a second edge whose config is
 * fetched from the API (as a remote edge would), under real nginx, ffmpeg and Chromium.
 */
describe('edge tier end to end: local edge, a second edge, health, steering, signed URLs, purge, viewers', () => {
  let system: SystemUnderTest;
  let browser: Browser;
  let edgeB: NginxInstance | null = null;
  let edgeBPort: number;
  let scratch: string;
  let encoder: ReturnType<typeof startEncoder>;

  const steering = async () => (await (await fetch(`http://127.0.0.1:${system.apiPort}/steering/steer.json`)).json()) as Record<string, unknown>;
  const node = async (name: string) => (await system.api('GET', `/api/v1/nodes/${name}`)).json;

  before(async () => {
    system = await startSystem({ edge: true, env: { HEALTH_CHECK_INTERVAL_MS: '300', STEERING_TTL_SECONDS: '1' } });
    scratch = await mkdtemp(path.join(os.tmpdir(), 'hls-edge-b-'));
    edgeBPort = await freeLoopbackPort();
    const port = await freeUdpPortBlock();
    assert.equal(
      (await system.api('POST', '/api/v1/streams', { key: 'steer', ingest: { protocol: 'udp', port }, packaging: { segmentSeconds: 1 } })).status,
      201,
    );
    encoder = startEncoder({ protocol: 'udp', port, seconds: 150 });
    await eventually(
      async () => ((await system.api('GET', '/api/v1/streams/steer/status')).json.segmentsWritten >= 3 ? true : undefined),
      30_000,
      'three segments',
    );
  });
  after(async () => {
    encoder?.child.kill('SIGINT');
    await encoder?.done;
    await browser?.close();
    await edgeB?.stop();
    await system.dispose();
    await rm(scratch, { recursive: true, force: true });
  });

  it('registers the local origin and edge as nodes; the edge is up with its config applied', async () => {
    const edge = await eventually(
      async () => {
        const n = await node('local-edge');
        return n.status === 'up' ? n : undefined;
      },
      15_000,
      'local-edge up',
    );
    assert.equal(edge.role, 'edge');
    assert.equal(edge.baseUrl, `http://127.0.0.1:${system.edgePort}`);
    assert.equal(edge.configError, null);
    assert.ok(edge.configAppliedAt);
    assert.ok(Number.isInteger(edge.activeConnections));
    assert.equal((await node('local-origin')).role, 'origin');
  });

  it('plays through the edge: the master carries Content Steering, segments are cached', async () => {
    const master = await system.edge('/live/steer/index.m3u8');
    assert.equal(master.status, 200);
    const text = await master.text();
    assert.match(
      text,
      new RegExp(`^#EXT-X-CONTENT-STEERING:SERVER-URI="http://127\\.0\\.0\\.1:${system.apiPort}/steering/steer\\.json",PATHWAY-ID="local-edge"$`, 'm'),
    );
    assert.match(text, new RegExp(`^http://127\\.0\\.0\\.1:${system.edgePort}/live/steer/source/index\\.m3u8$`, 'm'));
    const media = await (await system.edge('/live/steer/source/index.m3u8')).text();
    const segment = media.split('\n').find((l) => l.endsWith('.ts'))!;
    assert.equal((await system.edge(`/live/steer/source/${segment}`)).headers.get('x-cache-status'), 'MISS');
    const again = await system.edge(`/live/steer/source/${segment}`);
    assert.equal(again.headers.get('x-cache-status'), 'HIT');
    assert.match(again.headers.get('cmsd-dynamic') ?? '', /^"local-edge";etp=\d+;rtt=\d+$/);
  });

  it('a node change nginx refuses is not applied and is reported on the node; fixing it clears the error', async () => {
    const bad = await system.api('POST', '/api/v1/nodes', { name: 'bad-origin', role: 'origin', baseUrl: 'http://no-such-host.invalid:8080' });
    assert.equal(bad.status, 201);
    const reported = await eventually(
      async () => {
        const n = await node('local-edge');
        return n.configError ? n : undefined;
      },
      15_000,
      'the config error on local-edge',
    );
    assert.match(reported.configError, /nginx -t failed: .*host not found in upstream "no-such-host\.invalid:8080"/s);
    assert.equal((await system.edge('/live/steer/index.m3u8')).status, 200, 'the edge keeps serving with its last good config');
    assert.equal((await system.api('DELETE', '/api/v1/nodes/bad-origin')).status, 204);
    await eventually(async () => ((await node('local-edge')).configError === null ? true : undefined), 15_000, 'the error to clear');
  });

  /**
   * Registers edge-b and runs it with the config the API renders for it, once: the tests that need
   * a second edge call this, so none depends on another having run first.
   */
  let edgeBStarted: Promise<string> | null = null;
  const startEdgeB = (): Promise<string> =>
    (edgeBStarted ??= (async () => {
      assert.equal(
        (await system.api('POST', '/api/v1/nodes', { name: 'edge-b', role: 'edge', baseUrl: `http://127.0.0.1:${edgeBPort}`, weight: 200 })).status,
        201,
      );
      const njsDir = path.join(scratch, 'njs');
      await mkdir(njsDir, { recursive: true });
      await installNjsModules(njsDir);
      const query = new URLSearchParams({ cacheDir: path.join(scratch, 'cache'), njsDir, accessLog: path.join(scratch, 'access.log'), cacheMaxSize: '256m' });
      const rendered = await system.api('GET', `/api/v1/nodes/edge-b/nginx-config?${query}`);
      assert.equal(rendered.status, 200);
      const cacheDir = path.join(scratch, 'cache');
      edgeB = new NginxInstance({
        role: 'edge',
        binary: 'nginx',
        prefix: path.join(scratch, 'nginx'),
        workerPaths: [path.join(cacheDir, 'x'), path.join(njsDir, 'edge.js')],
        workerWritableDirs: [cacheDir],
        njs: true,
        logger: quiet,
      });
      await edgeB.start(rendered.json);
      return rendered.json as string;
    })());

  it('a second edge runs the config the API renders for it; steering lists both, ordered by weight', async () => {
    const rendered = await startEdgeB();
    assert.match(rendered, new RegExp(`listen ${edgeBPort};`));
    await eventually(
      async () => {
        const priority = (await steering())['PATHWAY-PRIORITY'] as string[];
        return priority.join() === 'edge-b,local-edge' ? true : undefined;
      },
      15_000,
      'edge-b first in PATHWAY-PRIORITY',
    );
    const manifest = await steering();
    assert.equal(manifest.VERSION, 1);
    assert.equal(manifest.TTL, 1);
    assert.equal(manifest['RELOAD-URI'], '/steering/steer.json');
    const master = await eventually(
      async () => {
        const text = await (await fetch(`http://127.0.0.1:${edgeBPort}/live/steer/index.m3u8`)).text();
        return /PATHWAY-ID="edge-b"[^\n]*\n[^\n]+\n#EXT-X-STREAM-INF:[^\n]*PATHWAY-ID="local-edge"/.test(text) ? text : undefined;
      },
      15_000,
      'a steered master with both pathways',
    );
    assert.match(master, new RegExp(`^http://127\\.0\\.0\\.1:${edgeBPort}/live/steer/source/index\\.m3u8$`, 'm'));
  });

  it('hls.js in Chromium plays the steered stream and keeps playing when its edge is stopped; viewer metrics come from its CMCD', async () => {
    await startEdgeB();
    // Players read the pathways from the master once; an edge may serve one up to two seconds old
    // (max-age=1, stale-while-revalidate=1), so wait until the local edge's copy lists edge-b.
    await eventually(
      async () => (/PATHWAY-ID="edge-b",STABLE-VARIANT-ID/.test(await (await system.edge('/live/steer/index.m3u8')).text()) ? true : undefined),
      15_000,
      'the local edge to serve the master with edge-b',
    );
    browser = await launchChromium();
    const page: Page = await browser.newPage();
    const consoleLines: string[] = [];
    page.on('console', (m) => consoleLines.push(m.text()));
    // Which requests failed, so a run that never plays says where it stopped (it failed 2 runs in 6
    // with only "404" in the console; not reproduced alone).
    const failedRequests: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failedRequests.push(`${r.status()} ${r.url()}`);
    });
    page.on('requestfailed', (r) => failedRequests.push(`failed ${r.url()} ${r.failure()?.errorText ?? ''}`));
    await page.goto(`http://127.0.0.1:${system.apiPort}/player?stream=steer`);
    await page
      .waitForFunction(() => document.getElementById('state')?.textContent === 'playing', undefined, { timeout: 30_000 })
      .catch(async (error: Error) => {
        const state = await page.evaluate(() => ({
          state: document.getElementById('state')?.textContent,
          errors: (window as unknown as { playerErrors?: unknown[] }).playerErrors?.slice(-5),
        }));
        throw new Error(
          `${error.message}; player: ${JSON.stringify(state)}; failed requests: ${failedRequests.slice(-10).join(' | ')}; console: ${consoleLines.slice(-10).join(' | ')}`,
        );
      });
    const pathway = () => page.evaluate(() => (window as unknown as { currentPathway(): string | null }).currentPathway());
    const playhead = () => page.evaluate(() => (document.getElementById('video') as HTMLVideoElement).currentTime);
    const playerState = () =>
      page.evaluate(() => {
        const w = window as unknown as { hls: { pathwayPriority: string[] | null }; playerErrors: unknown[] };
        return JSON.stringify({ priority: w.hls.pathwayPriority, errors: w.playerErrors.slice(-3) });
      });
    await eventually(async () => ((await pathway()) === 'edge-b' ? true : undefined), 15_000, 'the player on edge-b').catch(async (error: Error) => {
      throw new Error(`${error.message}: on ${await pathway()}, ${await playerState()}; console: ${consoleLines.slice(-10).join(' | ')}`);
    });

    // The control plane reads edge-b's log over HTTP while the player watches through it.
    await eventually(
      async () => {
        const byEdge = (await system.api('GET', '/api/v1/streams/steer/viewers')).json.requestsByEdge;
        return byEdge['edge-b'] > 0 ? true : undefined;
      },
      15_000,
      "the player's requests in edge-b's log",
    );

    await edgeB!.stop();
    const priority = await eventually(
      async () => {
        const p = (await steering())['PATHWAY-PRIORITY'] as string[];
        return p.includes('edge-b') ? undefined : p;
      },
      15_000,
      'edge-b out of PATHWAY-PRIORITY',
    );
    assert.deepEqual(priority, ['local-edge']);
    assert.equal((await node('edge-b')).status, 'down');

    await eventually(async () => ((await pathway()) === 'local-edge' ? true : undefined), 30_000, 'the player on local-edge');
    const start = await playhead();
    await sleep(8000);
    const end = await playhead();
    assert.ok(end - start >= 5, `played ${end - start} s of 8 after the switch`);
    const errors = await page.evaluate(() => (window as unknown as { playerErrors: { fatal: boolean; details: string }[] }).playerErrors);
    assert.deepEqual(
      errors.filter((e) => e.fatal),
      [],
      `no fatal hls.js error; console: ${consoleLines.join('\n')}`,
    );

    // The player sent CMCD all along: the control plane's viewer metrics (pulled from the edges' logs) show it.
    const viewers = await eventually(
      async () => {
        const v = (await system.api('GET', '/api/v1/streams/steer/viewers')).json;
        return v.viewers >= 1 && v.requestedBitrateKbps !== null ? v : undefined;
      },
      15_000,
      'a viewer with CMCD',
    );
    assert.ok(viewers.requestedBitrateKbps > 0);
    assert.ok(viewers.requests > 0);
    assert.ok(viewers.requestsByEdge['local-edge'] > 0, JSON.stringify(viewers.requestsByEdge));
    const metrics = await (await fetch(`http://127.0.0.1:${system.apiPort}/metrics`)).text();
    assert.match(metrics, /^hls_viewers\{stream="steer"\} [1-9]\d*$/m);
  });

  it('purge removes the stream from the local edge; an unreachable edge is a 503', async () => {
    await edgeB?.stop(); // stopped by the browser test already, unless it failed early
    const purged = await system.api('POST', '/api/v1/nodes/local-edge/purge', { stream: 'steer' });
    assert.equal(purged.status, 200);
    assert.equal(purged.json.node, 'local-edge');
    assert.ok(purged.json.removed >= 1, JSON.stringify(purged.json));
    const down = await system.api('POST', '/api/v1/nodes/edge-b/purge', {});
    assert.equal(down.status, 503);
    assert.equal((await system.api('POST', '/api/v1/nodes/local-edge/purge', { stream: 'Not A Key' })).status, 400);
    assert.equal((await system.api('POST', '/api/v1/nodes/local-origin/purge', {})).status, 409);
    assert.equal((await system.api('POST', '/api/v1/nodes/nope/purge', {})).status, 404);
  });

  it('signed URLs through the API: 403 without a token, tokens play, rotation keeps the previous key valid', async () => {
    assert.equal((await system.api('PATCH', '/api/v1/streams/steer', { playback: { signedUrls: true } })).status, 200);
    await eventually(async () => ((await system.edge('/live/steer/index.m3u8')).status === 403 ? true : undefined), 15_000, 'the edge to require tokens');
    const issued = await system.api('POST', '/api/v1/streams/steer/tokens', { expiresInSeconds: 600 });
    assert.equal(issued.status, 201);
    assert.deepEqual(
      issued.json.edgeUrls.sort(),
      [`http://127.0.0.1:${edgeBPort}${issued.json.playbackPath}`, `http://127.0.0.1:${system.edgePort}${issued.json.playbackPath}`].sort(),
    );
    const media = await system.edge(`/live/steer/source/index.m3u8?token=${issued.json.token}`);
    assert.equal(media.status, 200);
    const segment = (await media.text()).split('\n').find((l) => l.startsWith('seg'))!;
    assert.match(segment, new RegExp(`\\?token=${issued.json.token}$`));
    assert.equal((await system.edge(`/live/steer/source/${segment}`)).status, 200);

    const bad = await system.api('POST', '/api/v1/streams/steer/tokens', { expiresInSeconds: 1, clientIp: 'nope' });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json.fields.map((f: { field: string }) => f.field).sort(), ['clientIp', 'expiresInSeconds']);
    assert.equal((await system.api('POST', '/api/v1/streams/nope/tokens', {})).status, 404);

    const rotatedAt = Date.now();
    const rotated = await system.api('POST', '/api/v1/signing-keys/rotate');
    assert.equal(rotated.status, 200);
    assert.deepEqual(
      rotated.json.map((k: { state: string }) => k.state),
      ['signing', 'verifying'],
    );
    // The edge runs the config with both keys before the old one is tried.
    await eventually(
      async () => {
        const edge = await node('local-edge');
        return edge.configError === null && Date.parse(edge.configAppliedAt) > rotatedAt ? true : undefined;
      },
      15_000,
      'the rotated keys applied at the edge',
    );
    assert.equal((await system.edge(`/live/steer/source/index.m3u8?token=${issued.json.token}`)).status, 200, 'the previous key still verifies');
    assert.equal((await system.api('POST', '/api/v1/signing-keys/rotate')).status, 200);
    await eventually(
      async () => ((await system.edge(`/live/steer/source/index.m3u8?token=${issued.json.token}`)).status === 403 ? true : undefined),
      15_000,
      'tokens of a retired key refused',
    );
    const fresh = await system.api('POST', '/api/v1/streams/steer/tokens', {});
    assert.equal((await system.edge(`/live/steer/source/index.m3u8?token=${fresh.json.token}`)).status, 200);
  });

  it('read keys cannot see edge configs (they hold secrets)', async () => {
    const key = await system.api('POST', '/api/v1/api-keys', { name: 'viewer', scope: 'read' });
    const res = await fetch(`http://127.0.0.1:${system.apiPort}/api/v1/nodes/local-edge/nginx-config`, {
      headers: { Authorization: `Bearer ${key.json.secret}` },
    });
    assert.equal(res.status, 403);
    const origin = await system.api('GET', '/api/v1/nodes/local-origin/nginx-config?listen=127.0.0.1:8080');
    assert.equal(origin.status, 200);
    assert.match(origin.json, /listen 127\.0\.0\.1:8080;/);
    assert.match(origin.json, /^ {4}steer 1;$/m, 'the origin refuses the signed stream without a token too');
  });
});
