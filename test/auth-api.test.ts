import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApi, streamBody, TestApi } from './support/api.js';

describe('authentication and API keys', () => {
  let api: TestApi;
  before(async () => (api = await startTestApi()));
  after(() => api.close());

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const newKey = async (scope: string, name = `${scope}-key`) => {
    const res = await api.request().post('/api/v1/api-keys').set(api.admin).send({ name, scope });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { id: string; secret: string; prefix: string; scope: string };
  };

  it('401 without a token, with a malformed header, and with a wrong token', async () => {
    for (const headers of [
      {},
      { Authorization: 'Basic abc' },
      { Authorization: 'Bearer' },
      bearer('wrong'),
      bearer('hls_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'),
    ]) {
      const res = await api.request().get('/api/v1/streams').set(headers);
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal(res.body.code, 'unauthorized');
    }
  });

  it('health, readiness and the OpenAPI document need no token', async () => {
    assert.deepEqual((await api.request().get('/healthz')).body, { status: 'ok' });
    assert.deepEqual((await api.request().get('/readyz')).body, { status: 'ready', database: 'up' });
    const doc = await api.request().get('/api/docs/openapi.json');
    assert.equal(doc.status, 200);
    assert.ok(doc.body.paths['/api/v1/streams'].post, 'streams POST documented');
    assert.ok(doc.body.components.schemas.StreamConfigDto.properties.ingest, 'DTO schema generated from the code');
    assert.equal((await api.request().get('/api/docs')).status, 200);
  });

  it('creates a key whose secret is shown once and only its hash is stored', async () => {
    const key = await newKey('read', 'dashboard');
    assert.match(key.secret, /^hls_[a-z0-9]{12}_[A-Za-z0-9_-]{32}$/);
    assert.ok(key.secret.includes(key.prefix));
    const list = await api.request().get('/api/v1/api-keys').set(api.admin);
    assert.equal(list.status, 200);
    const listed = list.body.items.find((k: { id: string }) => k.id === key.id);
    assert.equal(listed.name, 'dashboard');
    assert.equal(listed.secret, undefined);
    const [row] = await api.dataSource.query('SELECT secret_hash FROM api_keys WHERE id = $1', [key.id]);
    assert.notEqual(row.secret_hash, key.secret);
    assert.match(row.secret_hash, /^[0-9a-f]{64}$/);
  });

  it('GET /api/v1/session says who a key is (what the console signs in with)', async () => {
    assert.equal((await api.request().get('/api/v1/session')).status, 401);
    assert.equal((await api.request().get('/api/v1/session').set(bearer('hls_nope'))).status, 401);
    const admin = await api.request().get('/api/v1/session').set(api.admin);
    assert.deepEqual(admin.body, { name: 'admin-token', scope: 'admin', kind: 'admin-token' });
    const key = await newKey('read', 'wallboard');
    const read = await api.request().get('/api/v1/session').set(bearer(key.secret));
    assert.deepEqual(read.body, { name: 'wallboard', scope: 'read', kind: 'api-key' });
  });

  it('a read key may GET but gets 403 for any write and for the key list', async () => {
    const key = await newKey('read');
    assert.equal((await api.request().get('/api/v1/streams').set(bearer(key.secret))).status, 200);
    assert.equal((await api.request().get('/api/v1/audit').set(bearer(key.secret))).status, 200);
    const writes = [
      api.request().post('/api/v1/streams').set(bearer(key.secret)).send(streamBody()),
      api.request().patch('/api/v1/streams/demo').set(bearer(key.secret)).send({ name: 'x' }),
      api.request().delete('/api/v1/streams/demo').set(bearer(key.secret)),
      api.request().post('/api/v1/nodes').set(bearer(key.secret)).send({ name: 'e1', role: 'edge', baseUrl: 'http://127.0.0.1:1' }),
      api.request().post('/api/v1/api-keys').set(bearer(key.secret)).send({ name: 'x', scope: 'admin' }),
      api.request().get('/api/v1/api-keys').set(bearer(key.secret)),
    ];
    for (const [i, res] of (await Promise.all(writes)).entries()) {
      assert.equal(res.status, 403, `request #${i}`);
      assert.equal(res.body.code, 'forbidden');
    }
    const [{ n }] = await api.dataSource.query('SELECT count(*)::int AS n FROM streams');
    assert.equal(n, 0);
  });

  it('an admin key writes, is named in the audit log, and records its last use', async () => {
    const key = await newKey('admin', 'ci-robot');
    const created = await api
      .request()
      .post('/api/v1/streams')
      .set(bearer(key.secret))
      .send(streamBody({ key: 'by-key', ingest: { port: 7100 } }));
    assert.equal(created.status, 201);
    const audit = await api.request().get(`/api/v1/audit?entityId=${created.body.id}`).set(api.admin);
    assert.equal(audit.body.items[0].actor, `api-key:ci-robot (${key.id})`);
    const list = await api.request().get('/api/v1/api-keys').set(api.admin);
    const listed = list.body.items.find((k: { id: string }) => k.id === key.id);
    assert.ok(listed.lastUsedAt, 'lastUsedAt set');
  });

  it('a revoked key gets 401; revoking is recorded and idempotent', async () => {
    const key = await newKey('admin', 'to-revoke');
    const revoked = await api.request().post(`/api/v1/api-keys/${key.id}/revoke`).set(api.admin);
    assert.equal(revoked.status, 201);
    assert.ok(revoked.body.revokedAt);
    assert.equal((await api.request().get('/api/v1/streams').set(bearer(key.secret))).status, 401);
    const again = await api.request().post(`/api/v1/api-keys/${key.id}/revoke`).set(api.admin);
    assert.equal(again.body.revokedAt, revoked.body.revokedAt);
    const audit = await api.request().get(`/api/v1/audit?entityType=api-key&entityId=${key.id}`).set(api.admin);
    assert.deepEqual(
      audit.body.items.map((e: { action: string }) => e.action),
      ['revoke', 'create'],
    );
    assert.equal((await api.request().post('/api/v1/api-keys/00000000-0000-4000-8000-000000000000/revoke').set(api.admin)).status, 404);
    assert.equal((await api.request().post('/api/v1/api-keys/not-a-uuid/revoke').set(api.admin)).status, 404);
  });

  it('rejects a key body with a bad scope or unknown field', async () => {
    const scope = await api.request().post('/api/v1/api-keys').set(api.admin).send({ name: 'x', scope: 'root' });
    assert.equal(scope.status, 400);
    assert.equal(scope.body.fields[0].field, 'scope');
    const extra = await api.request().post('/api/v1/api-keys').set(api.admin).send({ name: 'x', scope: 'read', secret: 'mine' });
    assert.equal(extra.status, 400);
    assert.equal(extra.body.fields[0].field, 'secret');
  });
});
