import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startEncoder } from './support/encoder.js';
import { freeUdpPortBlock } from './support/ports.js';
import { childrenOf } from './support/processes.js';
import { eventually, startSystem, SystemUnderTest } from './support/system.js';

/** Every process of the PostgreSQL cluster behind `url`: the postmaster and its backends. */
async function clusterProcesses(url: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const dataDir = (await client.query('SHOW data_directory')).rows[0].data_directory as string;
    const postmaster = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    return [postmaster, ...childrenOf(postmaster)];
  } finally {
    await client.end();
  }
}

/**
 * Fault suite, database side: PostgreSQL stopped (SIGSTOP on every process of the cluster) under
 * a live system. The API must neither hang for the stall nor apply a change after answering.
 */
describe('faults: PostgreSQL stalls (SIGSTOP)', () => {
  let system: SystemUnderTest;
  let encoder: ReturnType<typeof startEncoder>;
  let stopped: number[] = [];
  /** Signals each process; one that exited meanwhile (a short-lived backend) is skipped. */
  const signalAll = (pids: number[], signal: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        // gone
      }
    }
  };
  const resume = () => {
    signalAll(stopped, 'SIGCONT');
    stopped = [];
  };

  const readKeys: Record<string, string> = {};
  const asKey = (secret: string, route: string) => fetch(`http://127.0.0.1:${system.apiPort}${route}`, { headers: { Authorization: `Bearer ${secret}` } });

  before(async () => {
    system = await startSystem();
    const port = await freeUdpPortBlock();
    assert.equal(
      (await system.api('POST', '/api/v1/streams', { key: 'stall', name: 'before', ingest: { protocol: 'udp', port }, packaging: { segmentSeconds: 1 } }))
        .status,
      201,
    );
    encoder = startEncoder({ protocol: 'udp', port, seconds: 120 });
    await eventually(
      async () => ((await system.api('GET', '/api/v1/streams/stall/status')).json.segmentsWritten >= 2 ? true : undefined),
      30_000,
      'two segments',
    );
    for (const name of ['monitoring', 'unused']) {
      const created = await system.api('POST', '/api/v1/api-keys', { name, scope: 'read' });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      readKeys[name] = created.json.secret;
    }
    assert.equal((await asKey(readKeys.monitoring, '/api/v1/streams/stall/status')).status, 200);
  });
  after(async () => {
    resume();
    encoder?.child.kill('SIGINT');
    await encoder?.done;
    await system?.dispose();
  });

  // Without bounded waits the requests below would wait for a stall that only ends after they answer: the timeout makes that a failure, not a hang.
  it('live status is served from memory; database calls answer 503 with Retry-After; a refused change is not applied later', { timeout: 120_000 }, async () => {
    const url = process.env.TEST_DATABASE_URL;
    assert.ok(url, 'the suite runs on one embedded cluster (TEST_DATABASE_URL)');
    stopped = await clusterProcesses(url);
    signalAll(stopped, 'SIGSTOP');
    const answeredDuringStall: boolean[] = [];
    try {
      const status = await system.api('GET', '/api/v1/streams/stall/status');
      answeredDuringStall.push(stopped.length > 0);
      assert.equal(status.status, 200);
      assert.equal(status.json.state, 'live');
      // A read key verified a moment ago still reads live status; one never seen cannot be checked.
      const [monitoring, unused] = await Promise.all([
        asKey(readKeys.monitoring, '/api/v1/streams/stall/status'),
        asKey(readKeys.unused, '/api/v1/streams/stall/status'),
      ]);
      answeredDuringStall.push(stopped.length > 0);
      assert.equal(monitoring.status, 200);
      assert.equal(unused.status, 503);

      const [list, change] = await Promise.all([
        fetch(`http://127.0.0.1:${system.apiPort}/api/v1/streams`, { headers: { Authorization: `Bearer ${system.token}` } }),
        system.api('PATCH', '/api/v1/streams/stall', { name: 'during the stall' }),
      ]);
      answeredDuringStall.push(stopped.length > 0);
      assert.equal(list.status, 503);
      assert.equal(list.headers.get('retry-after'), '5');
      assert.equal((await list.json()).code, 'unavailable');
      assert.equal(change.status, 503, JSON.stringify(change.json));
    } finally {
      resume();
    }
    assert.deepEqual(answeredDuringStall, [true, true, true], 'every answer came while PostgreSQL was stopped, not after');

    // Once PostgreSQL runs again, the API recovers and the refused PATCH was not applied.
    const stream = await eventually(
      async () => {
        const res = await system.api('GET', '/api/v1/streams/stall');
        return res.status === 200 ? res.json : undefined;
      },
      30_000,
      'the API answering again',
    );
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal((await system.api('GET', '/api/v1/streams/stall')).json.name, 'before');
    assert.equal(stream.name, 'before');
  });
});
