import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startTestApi, TestApi } from './support/api.js';

describe('nodes API', () => {
  let api: TestApi;
  before(async () => (api = await startTestApi()));
  after(() => api.close());
  beforeEach(() => api.dataSource.query('TRUNCATE nodes, audit_log'));

  const edge = (overrides: Record<string, unknown> = {}) => ({ name: 'edge-1', role: 'edge', baseUrl: 'http://127.0.0.1:8081', region: 'eu', ...overrides });
  const create = (body: Record<string, unknown>) => api.request().post('/api/v1/nodes').set(api.admin).send(body);

  it('creates a node with defaults and health fields, gets it by id and name', async () => {
    const res = await create(edge());
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.headers.etag, '"1"');
    assert.equal(res.body.weight, 100);
    assert.equal(res.body.capacityMbps, 1000);
    assert.equal(res.body.enabled, true);
    assert.equal(res.body.status, 'unknown');
    assert.equal(res.body.lastCheckedAt, null);
    for (const ref of [res.body.id, 'edge-1']) {
      const got = await api.request().get(`/api/v1/nodes/${ref}`).set(api.admin);
      assert.equal(got.status, 200);
      assert.equal(got.body.id, res.body.id);
    }
    assert.equal((await api.request().get('/api/v1/nodes/edge-9').set(api.admin)).status, 404);
  });

  it('validates role, URL, weight and unknown fields; health fields are read-only', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [edge({ role: 'cache' }), 'role'],
      [edge({ baseUrl: 'ftp://x' }), 'baseUrl'],
      [edge({ baseUrl: 'not a url' }), 'baseUrl'],
      [edge({ weight: -1 }), 'weight'],
      [edge({ weight: 1.5 }), 'weight'],
      [edge({ name: 'Edge 1' }), 'name'],
      [edge({ status: 'up' }), 'status'],
      [edge({ internalUrl: 'edge-1:8081' }), 'internalUrl'],
      [edge({ controlToken: 'mine' }), 'controlToken'],
      [edge({ configError: 'x' }), 'configError'],
    ];
    for (const [body, field] of cases) {
      const res = await create(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.ok(
        res.body.fields.some((f: { field: string }) => f.field === field),
        JSON.stringify(res.body),
      );
    }
    const [{ n }] = await api.dataSource.query('SELECT count(*)::int AS n FROM nodes');
    assert.equal(n, 0);
  });

  it('keeps an internal URL for the control plane apart from the public base URL; the edge control token never shows', async () => {
    const res = await create(edge({ internalUrl: 'http://edge-1.internal:8081' }));
    assert.equal(res.status, 201);
    assert.equal(res.body.internalUrl, 'http://edge-1.internal:8081');
    assert.equal(res.body.baseUrl, 'http://127.0.0.1:8081');
    assert.ok(!('controlToken' in res.body));
    const cleared = await api.request().patch(`/api/v1/nodes/${res.body.id}`).set(api.admin).send({ internalUrl: null });
    assert.equal(cleared.status, 200);
    assert.equal(cleared.body.internalUrl, null);
    assert.equal((await api.request().delete(`/api/v1/nodes/${res.body.id}`).set(api.admin)).status, 204);
  });

  it('409 for a duplicate name', async () => {
    assert.equal((await create(edge())).status, 201);
    const res = await create(edge({ baseUrl: 'http://127.0.0.1:8082' }));
    assert.equal(res.status, 409);
    assert.equal(res.body.fields[0].field, 'name');
  });

  it('PATCH with If-Match, 412 when stale, DELETE', async () => {
    const created = (await create(edge())).body;
    const patched = await api.request().patch(`/api/v1/nodes/${created.id}`).set(api.admin).set('If-Match', '"1"').send({ weight: 10, enabled: false });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.weight, 10);
    assert.equal(patched.body.enabled, false);
    assert.equal(patched.headers.etag, '"2"');
    const stale = await api.request().patch(`/api/v1/nodes/${created.id}`).set(api.admin).set('If-Match', '"1"').send({ weight: 20 });
    assert.equal(stale.status, 412);
    const badPatch = await api.request().patch(`/api/v1/nodes/${created.id}`).set(api.admin).send({ role: 'cache' });
    assert.equal(badPatch.status, 400);
    assert.equal(badPatch.body.fields[0].field, 'role');
    assert.equal((await api.request().delete(`/api/v1/nodes/${created.id}`).set(api.admin).set('If-Match', '"2"')).status, 204);
    assert.equal((await api.request().get(`/api/v1/nodes/${created.id}`).set(api.admin)).status, 404);
    const audit = await api.request().get(`/api/v1/audit?entityType=node&entityId=${created.id}`).set(api.admin);
    assert.deepEqual(
      audit.body.items.map((e: { action: string }) => e.action),
      ['delete', 'update', 'create'],
    );
    assert.deepEqual(audit.body.items[1].changes.weight, { from: 100, to: 10 });
  });

  it('paginates', async () => {
    for (let i = 0; i < 3; i++) await create(edge({ name: `edge-${i}` }));
    const page = await api.request().get('/api/v1/nodes?limit=2&offset=2').set(api.admin);
    assert.equal(page.body.total, 3);
    assert.deepEqual(
      page.body.items.map((n: { name: string }) => n.name),
      ['edge-2'],
    );
  });

  it('a node waits for its config to change (If-None-Match + Prefer: wait): a new edge reaches the origin when it is created', async () => {
    assert.equal((await create({ name: 'origin-1', role: 'origin', baseUrl: 'http://origin:8080' })).status, 201);
    const config = () => api.request().get('/api/v1/nodes/origin-1/nginx-config').set(api.admin);
    const first = await config();
    assert.equal(first.status, 200);
    const etag = first.headers.etag;
    assert.match(etag, /^"[0-9a-f]{16}"$/);
    assert.equal((await config().set('If-None-Match', etag)).status, 304, 'unchanged, no wait asked: 304 at once');
    assert.equal((await config().set('If-None-Match', etag).set('Prefer', 'wait=1')).status, 304, 'unchanged for the whole wait: 304');
    // The origin waits; an edge is created meanwhile and the origin must learn its control token.
    const waiting = config().set('If-None-Match', etag).set('Prefer', 'wait=30');
    const pending = new Promise<{ status: number; etag: string; text: string }>((resolve, reject) =>
      waiting.then((res) => resolve({ status: res.status, etag: res.headers.etag, text: res.text }), reject),
    );
    await new Promise((r) => setTimeout(r, 200)); // let the request start waiting before the change
    assert.equal((await create(edge({ name: 'edge-new' }))).status, 201);
    const changed = await pending;
    assert.equal(changed.status, 200, 'answered on the change, before the 30 s wait ran out');
    assert.notEqual(changed.etag, etag);
    assert.match(changed.text, /map \$http_x_hls_edge_token \$hls_from_edge \{\n\s+default 0;\n\s+"[0-9a-f]{64}" 1;/);
  });
});
