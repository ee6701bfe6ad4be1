import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ConfigEventsService } from '../control-plane/src/events/config-events.service.js';
import { CONFIG_CHANNEL, ConfigEvent } from '../control-plane/src/events/config-event.js';
import { startTestApi, streamBody, TestApi } from './support/api.js';

/** Collects events and lets a test wait for the next one, with a bound so a missing event fails. */
class Inbox {
  private readonly events: ConfigEvent[] = [];
  private waiter: (() => void) | null = null;
  push = (event: ConfigEvent): void => {
    this.events.push(event);
    this.waiter?.();
  };
  async next(): Promise<ConfigEvent> {
    const deadline = Date.now() + 5000;
    while (this.events.length === 0) {
      if (Date.now() > deadline) throw new Error('no event within 5 s');
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 100);
      });
    }
    return this.events.shift()!;
  }
  get pending(): number {
    return this.events.length;
  }
}

describe('configuration changes are published with LISTEN/NOTIFY', () => {
  let api: TestApi;
  let other: pg.Client;
  const inApp = new Inbox();
  const inOtherInstance = new Inbox();

  before(async () => {
    api = await startTestApi();
    const events = api.app.get(ConfigEventsService);
    await events.whenListening();
    events.subscribe(inApp.push);
    // A separate connection stands in for another control-plane instance.
    other = new pg.Client({ connectionString: api.databaseUrl });
    await other.connect();
    other.on('notification', (m) => inOtherInstance.push(JSON.parse(m.payload!)));
    await other.query(`LISTEN ${CONFIG_CHANNEL}`);
  });
  after(async () => {
    await other.end();
    await api.close();
  });

  it('stream create, update and delete reach this and other instances', async () => {
    const created = (await api.request().post('/api/v1/streams').set(api.admin).send(streamBody())).body;
    await api.request().patch('/api/v1/streams/demo').set(api.admin).send({ enabled: false });
    await api.request().delete('/api/v1/streams/demo').set(api.admin);
    for (const inbox of [inApp, inOtherInstance]) {
      assert.deepEqual(await inbox.next(), { entity: 'stream', op: 'created', id: created.id, ref: 'demo', version: 1 });
      assert.deepEqual(await inbox.next(), { entity: 'stream', op: 'updated', id: created.id, ref: 'demo', version: 2 });
      assert.deepEqual(await inbox.next(), { entity: 'stream', op: 'deleted', id: created.id, ref: 'demo', version: 0 });
    }
  });

  it('node changes are published too', async () => {
    const node = (await api.request().post('/api/v1/nodes').set(api.admin).send({ name: 'edge-1', role: 'edge', baseUrl: 'http://127.0.0.1:8081' })).body;
    assert.deepEqual(await inOtherInstance.next(), { entity: 'node', op: 'created', id: node.id, ref: 'edge-1', version: 1 });
    assert.equal((await inApp.next()).op, 'created');
  });

  it('a rejected change publishes nothing (the NOTIFY rolls back with it)', async () => {
    assert.equal(
      (
        await api
          .request()
          .post('/api/v1/streams')
          .set(api.admin)
          .send(streamBody({ key: 'one' }))
      ).status,
      201,
    );
    await inApp.next();
    await inOtherInstance.next();
    const clash = await api
      .request()
      .post('/api/v1/streams')
      .set(api.admin)
      .send(streamBody({ key: 'two' }));
    assert.equal(clash.status, 409);
    // A marker sent after the failed request proves the channel is drained up to this point.
    await other.query('SELECT pg_notify($1, $2)', [CONFIG_CHANNEL, JSON.stringify({ entity: 'node', op: 'updated', id: 'marker', ref: 'marker', version: 0 })]);
    assert.equal((await inOtherInstance.next()).id, 'marker');
    assert.equal((await inApp.next()).id, 'marker');
  });

  it('the listener reconnects after its connection is killed', async () => {
    const listeners = async (): Promise<number[]> =>
      (await api.dataSource.query(`SELECT pid FROM pg_stat_activity WHERE application_name = 'hls-config-listener' AND datname = current_database()`)).map(
        (row: { pid: number }) => row.pid,
      );
    const before = await listeners();
    assert.equal(before.length, 1, 'one listener connection to begin with');
    await api.dataSource.query('SELECT pg_terminate_backend($1)', [before[0]]);
    // Wait for a new backend (the old one's row may linger while it terminates), then for its LISTEN.
    const deadline = Date.now() + 10_000;
    while (!(await listeners()).some((pid) => !before.includes(pid))) {
      assert.ok(Date.now() < deadline, 'listener did not reconnect within 10 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    await api.app.get(ConfigEventsService).whenListening();
    const created = (
      await api
        .request()
        .post('/api/v1/streams')
        .set(api.admin)
        .send(streamBody({ key: 'after-reconnect', ingest: { port: 8100 } }))
    ).body;
    const event = await inApp.next();
    assert.equal(event.id, created.id);
  });
});
