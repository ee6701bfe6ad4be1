import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { startTestApi, streamBody, TestApi } from './support/api.js';

/** Every route of the API, with `:ref` where a path parameter goes. */
const ROUTES: [method: 'get' | 'post' | 'patch' | 'delete', path: string][] = [
  ['get', '/api/v1/streams'],
  ['post', '/api/v1/streams'],
  ['get', '/api/v1/streams/:ref'],
  ['patch', '/api/v1/streams/:ref'],
  ['delete', '/api/v1/streams/:ref'],
  ['post', '/api/v1/streams/:ref/tokens'],
  ['post', '/api/v1/streams/:ref/purge'],
  ['get', '/api/v1/streams/:ref/viewers'],
  ['get', '/api/v1/nodes'],
  ['post', '/api/v1/nodes'],
  ['get', '/api/v1/nodes/:ref'],
  ['patch', '/api/v1/nodes/:ref'],
  ['delete', '/api/v1/nodes/:ref'],
  ['get', '/api/v1/nodes/:ref/nginx-config'],
  ['post', '/api/v1/nodes/:ref/purge'],
  ['get', '/api/v1/api-keys'],
  ['post', '/api/v1/api-keys'],
  ['post', '/api/v1/api-keys/:ref/revoke'],
  ['get', '/api/v1/audit'],
  ['get', '/api/v1/signing-keys'],
  ['get', '/api/v1/edge-files/:ref'],
  ['get', '/steering/:ref'],
];

/** Field names the DTOs know, so generated bodies reach the validators and not only the unknown-field rule. */
const KNOWN_FIELDS = [
  'key',
  'name',
  'enabled',
  'ingest',
  'protocol',
  'port',
  'fec',
  'columns',
  'rows',
  'allowedSources',
  'packaging',
  'segmentSeconds',
  'windowSegments',
  'partSeconds',
  'renditions',
  'playback',
  'signedUrls',
  'role',
  'baseUrl',
  'internalUrl',
  'weight',
  'scope',
  'expiresInSeconds',
  'clientIp',
  'stream',
  'limit',
  'offset',
  'entityType',
  'entityId',
  '__proto__',
  'constructor',
];

/** Strings that broke things before: NUL, lone surrogates, huge numbers as text, empty and blank. */
const hostileText = fc.oneof(
  fc.string(),
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udc00y', '99999999999999999999', '-1', '', ' ', '%00', '../', 'demo', 'edge-1'),
);

const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: 'small', maxDepth: 4 }, hostileText, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('any'), { maxLength: 4 }),
  object: fc.dictionary(fc.oneof(fc.constantFrom(...KNOWN_FIELDS), fc.string()), tie('any'), { maxKeys: 5 }),
})).any;

/** A JSON text: a generated value, or nesting thousands deep (class-transformer used to overflow). */
const body = fc.oneof(
  { weight: 4, arbitrary: value.map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 5000 }).map((n) => `{"name":${'['.repeat(n)}${']'.repeat(n)}}`) },
);

/** A path parameter as sent on the wire: text percent-encoded, or raw escapes (NUL, bytes that are not UTF-8). */
const pathParameter = fc.oneof(
  fc.oneof(hostileText, fc.constantFrom('demo', 'edge-1')).map((text) => encodeURIComponent(text.replace(/[\uD800-\uDFFF]/g, '\uFFFD'))),
  fc.constantFrom('%00', '%ED%A0%80', '%FF', '%', '%2e%2e', 'demo%00'),
);

const query = fc.dictionary(fc.oneof(fc.constantFrom('limit', 'offset', 'entityType', 'entityId', 'stream', 'x'), fc.string()), hostileText, { maxKeys: 3 });

/**
 * Property over the whole API: whatever the body, query and path parameters, the answer is never
 * a 5xx, and a refused request stores nothing.
 */
describe('API fuzz (fast-check): no 5xx, nothing stored on refusal', () => {
  let api: TestApi;
  const counts = async () =>
    (
      await api.dataSource.query(
        `SELECT (SELECT count(*) FROM streams) AS streams, (SELECT count(*) FROM nodes) AS nodes, (SELECT count(*) FROM api_keys) AS keys,
              (SELECT count(*) FROM url_signing_keys) AS signing, (SELECT count(*) FROM audit_log) AS audit`,
      )
    )[0];

  before(async () => {
    api = await startTestApi();
    assert.equal((await api.request().post('/api/v1/streams').set(api.admin).send(streamBody())).status, 201);
    assert.equal((await api.request().post('/api/v1/nodes').set(api.admin).send({ name: 'edge-1', role: 'edge', baseUrl: 'http://127.0.0.1:9' })).status, 201);
  });
  after(() => api.close());

  it('every route, arbitrary bodies, queries and path parameters', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), body, query, pathParameter, async ([method, route], text, params, ref) => {
        const path = route.replace(':ref', ref);
        const search = new URLSearchParams(params).toString();
        const before = await counts();
        let request = api
          .request()
          [method](`${path}${search ? `?${search}` : ''}`)
          .set(api.admin);
        if (method === 'post' || method === 'patch') request = request.set('Content-Type', 'application/json').send(text);
        const res = await request;
        // An edge that cannot be reached makes a purge a 503: the one 5xx that is the truth.
        const unreachableEdge = res.status === 503 && /purge/.test(route);
        assert.ok(
          res.status < 500 || unreachableEdge,
          `${method.toUpperCase()} ${path}?${search} ${text.slice(0, 200)} -> ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`,
        );
        if (res.status >= 400) assert.deepEqual(await counts(), before, `refused (${res.status}) but something was stored: ${method} ${path}`);
      }),
      { numRuns: 600 },
    );
  });
});
