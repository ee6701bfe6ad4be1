import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApi, streamBody, TestApi } from './support/api.js';

/** The requests that used to answer 500 (or be taken wrongly), each now a 4xx naming the problem. */
describe('faults: hostile API input gets a 4xx that names the problem, and nothing is stored', () => {
  let api: TestApi;
  const streamCount = async () => Number((await api.dataSource.query('SELECT count(*) AS n FROM streams'))[0].n);
  const post = (route: string, body: unknown) =>
    api
      .request()
      .post(route)
      .set(api.admin)
      .set('Content-Type', 'application/json')
      .send(typeof body === 'string' ? body : JSON.stringify(body));
  const patch = (route: string, body: unknown, headers: Record<string, string> = {}) =>
    api.request().patch(route).set(api.admin).set(headers).set('Content-Type', 'application/json').send(JSON.stringify(body));
  const fieldsOf = (res: { body: { fields?: { field: string }[] } }) => (res.body.fields ?? []).map((f) => f.field);

  before(async () => {
    api = await startTestApi();
    assert.equal((await post('/api/v1/streams', streamBody())).status, 201);
    assert.equal((await post('/api/v1/nodes', { name: 'edge-1', role: 'edge', baseUrl: 'http://127.0.0.1:9' })).status, 201);
  });
  after(() => api.close());

  it('JSON nested 3,000 deep', async () => {
    const res = await post('/api/v1/streams', `{"name":${'['.repeat(3000)}${']'.repeat(3000)}}`);
    assert.equal(res.status, 400);
    assert.match(res.body.message, /nested deeper than 32 levels/);
    assert.equal(await streamCount(), 1);
  });

  for (const [what, name] of [
    ['NUL', 'a\u0000b'],
    ['a lone surrogate', 'a\ud800b'],
  ]) {
    it(`a name with ${what}`, async () => {
      const res = await post('/api/v1/streams', streamBody({ key: 'other', name, ingest: { protocol: 'udp', port: 6000 } }));
      assert.equal(res.status, 400);
      assert.deepEqual(fieldsOf(res), ['name']);
      assert.equal(await streamCount(), 1);
    });
  }

  it('an offset past bigint on every list', async () => {
    for (const list of ['streams', 'nodes', 'api-keys', 'audit']) {
      const res = await api.request().get(`/api/v1/${list}?offset=99999999999999999999`).set(api.admin);
      assert.equal(res.status, 400, list);
      assert.deepEqual(fieldsOf(res), ['offset'], list);
    }
  });

  it('NUL in a query or a path parameter', async () => {
    const audit = await api.request().get('/api/v1/audit?entityId=%00').set(api.admin);
    assert.equal(audit.status, 400);
    assert.deepEqual(fieldsOf(audit), ['entityId']);
    for (const route of ['/api/v1/streams/%00', '/api/v1/nodes/%00', '/api/v1/streams/demo%00/tokens']) {
      const res = route.endsWith('tokens') ? await post(route, {}) : await api.request().get(route).set(api.admin);
      assert.equal(res.status, 400, route);
      assert.deepEqual(fieldsOf(res), ['ref'], route);
    }
  });

  it('__proto__ is refused like any unknown field', async () => {
    const res = await post('/api/v1/streams', '{"key":"proto","ingest":{"protocol":"udp","port":6010},"__proto__":{"admin":true}}');
    assert.equal(res.status, 400);
    assert.deepEqual(fieldsOf(res), ['__proto__']);
    assert.equal(await streamCount(), 1);
  });

  it('FEC on protocol udp is refused and reserves no ports', async () => {
    const res = await post('/api/v1/streams', streamBody({ key: 'udpfec', ingest: { protocol: 'udp', port: 6020, fec: { columns: 5, rows: 10 } } }));
    assert.equal(res.status, 400);
    assert.deepEqual(fieldsOf(res), ['ingest.fec']);
    assert.equal(Number((await api.dataSource.query('SELECT count(*) AS n FROM ingest_ports WHERE port BETWEEN 6020 AND 6024'))[0].n), 0);
  });

  it('empty and blank names are refused', async () => {
    for (const name of ['', '   ']) {
      const res = await post('/api/v1/streams', streamBody({ key: 'blank', name, ingest: { protocol: 'udp', port: 6030 } }));
      assert.equal(res.status, 400);
      assert.deepEqual(fieldsOf(res), ['name']);
    }
  });

  it('If-Match compares strongly: W/"n" never matches (RFC 9110 13.1.1)', async () => {
    const current = await api.request().get('/api/v1/streams/demo').set(api.admin);
    const weak = await patch('/api/v1/streams/demo', { name: 'x' }, { 'If-Match': `W/${current.headers.etag}` });
    assert.equal(weak.status, 412);
    assert.equal((await patch('/api/v1/streams/demo', { name: 'x' }, { 'If-Match': current.headers.etag })).status, 200);
  });

  it('null is not "unchanged": enabled, packaging and node fields sent as null are refused', async () => {
    for (const field of ['enabled', 'packaging', 'ingest', 'playback', 'name', 'renditions']) {
      const res = await patch('/api/v1/streams/demo', { [field]: null });
      assert.equal(res.status, 400, field);
      assert.deepEqual(fieldsOf(res), [field], field);
    }
    for (const field of ['weight', 'enabled', 'region', 'capacityMbps', 'baseUrl', 'role', 'name']) {
      const res = await patch('/api/v1/nodes/edge-1', { [field]: null });
      assert.equal(res.status, 400, field);
      assert.deepEqual(fieldsOf(res), [field], field);
    }
    assert.equal((await patch('/api/v1/nodes/edge-1', { internalUrl: null })).status, 200, 'internalUrl: null clears it');
  });
});
