import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEncoder } from './support/encoder.js';
import { freeUdpPortBlock } from './support/ports.js';
import { childrenOf, isRunning, nginxMasters } from './support/processes.js';
import { eventually, startSystem, SystemUnderTest } from './support/system.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Fault suite, nginx side: the origin's and the edge's masters killed (SIGKILL) or hung (SIGSTOP)
 * under the running system, and what a viewer without a token gets for a signed stream meanwhile.
 */
describe('faults: nginx masters killed or hung; signed streams fail closed', () => {
  let system: SystemUnderTest;
  let encoder: ReturnType<typeof startEncoder>;
  const prefix = (role: 'origin' | 'edge') => path.join(system.dataDir, 'nginx', role);
  const masterPid = async (role: 'origin' | 'edge') => Number((await readFile(path.join(prefix(role), 'nginx.pid'), 'utf8')).trim());
  const node = async (name: string) => (await system.api('GET', `/api/v1/nodes/${name}`)).json;
  const setSigned = async (signed: boolean) =>
    assert.equal((await system.api('PATCH', '/api/v1/streams/fault', { playback: { signedUrls: signed } })).status, 200);
  const token = async (body: Record<string, unknown> = {}) => (await system.api('POST', '/api/v1/streams/fault/tokens', body)).json.token as string;
  const newestSegment = async (via: (route: string) => Promise<Response>, query = '') => {
    const text = await (await via(`/live/fault/source/index.m3u8${query}`)).text();
    return text
      .split('\n')
      .filter((l) => /^seg\d+\.ts/.test(l))
      .pop()!
      .replace(/\?.*$/, '');
  };
  /** Applied means seen: no error, and applied after `since`. */
  const appliedSince = (name: string, since: number) =>
    eventually(
      async () => {
        const n = await node(name);
        return n.configError === null && Date.parse(n.configAppliedAt) > since ? n : undefined;
      },
      20_000,
      `${name} seen running its config`,
    ).catch(async (error: Error) => {
      const log = system.proc
        .output()
        .split('\n')
        .filter((l) => /origin\]|edge local-edge\]/.test(l))
        .slice(-15)
        .join('\n');
      throw new Error(`${error.message}; node: ${JSON.stringify(await node(name))}; log:\n${log}`);
    });

  before(async () => {
    system = await startSystem({ edge: true, env: { HEALTH_CHECK_INTERVAL_MS: '300' } });
    const port = await freeUdpPortBlock();
    assert.equal(
      (await system.api('POST', '/api/v1/streams', { key: 'fault', ingest: { protocol: 'udp', port }, packaging: { segmentSeconds: 1 } })).status,
      201,
    );
    encoder = startEncoder({ protocol: 'udp', port, seconds: 240 });
    await eventually(
      async () => ((await system.api('GET', '/api/v1/streams/fault/status')).json.segmentsWritten >= 3 ? true : undefined),
      30_000,
      'three segments',
    );
  });
  after(async () => {
    encoder?.child.kill('SIGINT');
    await encoder?.done;
    await system.dispose();
  });

  it('binds the origin to loopback when a local edge fronts it', async () => {
    assert.match(await readFile(path.join(prefix('origin'), 'server.conf'), 'utf8'), new RegExp(`listen 127\\.0\\.0\\.1:${system.httpPort};`));
  });

  for (const role of ['edge', 'origin'] as const) {
    it(`SIGKILL of the ${role} master: its workers die with it, one new master takes the port, a change made meanwhile is applied and seen`, async () => {
      const before = await masterPid(role);
      const workers = childrenOf(before);
      assert.ok(workers.length >= 1, 'the master has workers');
      const killedAt = Date.now();
      process.kill(before, 'SIGKILL');
      // A change while the restart is pending: it must take that restart over, not start a second chain.
      await setSigned(true);
      const after = await eventually(
        async () => {
          const pid = await masterPid(role).catch(() => 0);
          return pid && pid !== before && isRunning(pid) ? pid : undefined;
        },
        20_000,
        `a new ${role} master`,
      );
      for (const worker of workers) assert.equal(isRunning(worker), false, `worker ${worker} of the killed master is gone`);
      await appliedSince(role === 'edge' ? 'local-edge' : 'local-origin', killedAt);
      await sleep(1500); // a second restart chain would have started another master by now
      assert.deepEqual(nginxMasters(prefix(role)), [after], 'exactly one master');
      const inUse = system.proc
        .output()
        .split('\n')
        .filter((line) => /Address already in use/i.test(line));
      assert.deepEqual(inUse, [], 'no master started while the old one held the port');

      const via = role === 'edge' ? system.edge : system.origin;
      assert.equal((await via('/live/fault/source/index.m3u8')).status, 403, 'no token: refused');
      const valid = await token();
      assert.equal((await via(`/live/fault/source/index.m3u8?token=${valid}`)).status, 200);
      const unsignedAt = Date.now();
      await setSigned(false);
      // Both nginx must run the open config before the next case starts from it.
      await appliedSince('local-edge', unsignedAt);
      await appliedSince('local-origin', unsignedAt);
      await eventually(async () => ((await via('/live/fault/source/index.m3u8')).status === 200 ? true : undefined), 20_000, 'open again').catch(
        async (error: Error) => {
          throw new Error(`${error.message}; node: ${JSON.stringify(await node(role === 'edge' ? 'local-edge' : 'local-origin'))}`);
        },
      );
    });
  }

  it('a hung edge (SIGSTOP) cannot take a change: the node says so, the newly signed stream is refused anyway, and the error clears when it resumes', async () => {
    await eventually(
      async () => ((await system.edge('/live/fault/source/index.m3u8')).status === 200 ? true : undefined),
      20_000,
      'open stream through the edge',
    );
    const masters = nginxMasters(prefix('edge'));
    assert.equal(masters.length, 1, 'one edge master');
    const master = masters[0];
    process.kill(master, 'SIGSTOP');
    try {
      await setSigned(true);
      const stuck = await eventually(
        async () => {
          const n = await node('local-edge');
          return n.configError ? n : undefined;
        },
        20_000,
        'the edge reported as not running its config',
      );
      assert.match(stuck.configError, /not applied/);
      // The stopped master's workers still run the old config, which thinks the stream open:
      // the origin refuses them, and what it serves a token holder is not cached for others.
      await eventually(
        async () => ((await system.edge('/live/fault/source/index.m3u8')).status === 403 ? true : undefined),
        10_000,
        'tokenless playlist refused',
      );
      const valid = await token();
      const segment = await newestSegment(system.edge, `?token=${valid}`);
      const paid = await system.edge(`/live/fault/source/${segment}?token=${valid}`);
      assert.equal(paid.status, 200);
      assert.equal(paid.headers.get('x-hls-signed'), '1');
      await paid.arrayBuffer();
      for (let i = 0; i < 3; i++) {
        const open = await system.edge(`/live/fault/source/${segment}`);
        assert.equal(
          open.status,
          403,
          `not served from the cache without a token (cache ${open.headers.get('x-cache-status')}, age ${open.headers.get('age')}, paid ${paid.headers.get('x-cache-status')})`,
        );
      }
      const again = await system.edge('/live/fault/source/index.m3u8');
      assert.equal(
        again.status,
        403,
        `cache ${again.headers.get('x-cache-status')}, age ${again.headers.get('age')}, signed ${again.headers.get('x-hls-signed')}: ${await again.text()}`,
      );
    } finally {
      process.kill(master, 'SIGCONT');
    }
    const resumedAt = Date.now();
    await appliedSince('local-edge', resumedAt - 1);
    assert.equal((await system.edge('/live/fault/source/index.m3u8')).status, 403);
    await setSigned(false);
  });

  it('the origin believes X-HLS-Viewer-IP only from an edge with its control token', async () => {
    await setSigned(true);
    await eventually(async () => ((await system.origin('/live/fault/source/index.m3u8')).status === 403 ? true : undefined), 20_000, 'origin refuses');
    const bound = await token({ clientIp: '10.9.8.7' });
    const route = `/live/fault/source/index.m3u8?token=${bound}`;
    const edgeConfig = (await system.api('GET', '/api/v1/nodes/local-edge/nginx-config')).json as string;
    const edgeToken = /set \$hls_control_token "([^"]+)"/.exec(edgeConfig)![1];
    assert.equal((await system.origin(route)).status, 403, 'from 127.0.0.1');
    const spoofed = await fetch(`http://127.0.0.1:${system.httpPort}${route}`, { headers: { 'X-HLS-Viewer-IP': '10.9.8.7' } });
    assert.equal(spoofed.status, 403, 'a viewer IP named by anyone but an edge is ignored');
    const viaEdge = await fetch(`http://127.0.0.1:${system.httpPort}${route}`, { headers: { 'X-HLS-Viewer-IP': '10.9.8.7', 'X-HLS-Edge-Token': edgeToken } });
    assert.equal(viaEdge.status, 200);
    assert.doesNotMatch(await viaEdge.text(), /token=/, 'an edge gets the playlist unrewritten: it writes each viewer its own token');
    await setSigned(false);
  });
});
