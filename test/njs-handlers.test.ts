import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { register } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { installNjsModules } from '../control-plane/src/edge/njs-modules.js';
import { issueToken, newSigningKey } from '../control-plane/src/edge/signing/playback-token.js';

/** The part of njs's request object (NginxHTTPRequest) the handlers use, recorded for assertions. */
interface FakeRequest {
  uri: string;
  method: string;
  args: Record<string, string>;
  headersIn: Record<string, string>;
  headersOut: Record<string, string>;
  variables: Record<string, string>;
  returned: { status: number; body: string } | null;
  sent: string[];
  return(status: number, body?: string): void;
  sendBuffer(data: string, flags: { last?: boolean }): void;
}

function fakeRequest(fields: Partial<Pick<FakeRequest, 'uri' | 'method' | 'args' | 'headersIn' | 'variables'>>): FakeRequest {
  return {
    uri: '/live/demo/source/index.m3u8',
    method: 'GET',
    args: {},
    headersIn: {},
    headersOut: {},
    variables: {},
    ...fields,
    returned: null,
    sent: [],
    return(status, body = '') {
      this.returned = { status, body };
    },
    sendBuffer(data) {
      this.sent.push(String(data));
    },
  };
}

type Handler = (r: FakeRequest, ...rest: unknown[]) => unknown;

/** Unit tests of the njs handlers in Node, with a typed fake request (the njs CLI and nginx tests run the same build for real). */
describe('njs handlers with a fake request', () => {
  let dir: string;
  let edge: Record<string, Handler>;
  before(async () => {
    // The directory name is what the resolve hook recognises (test/support/njs-hooks.ts).
    dir = await mkdtemp(path.join(os.tmpdir(), 'hls-njs-'));
    await installNjsModules(dir);
    register(pathToFileURL(path.resolve('dist/test/support/njs-hooks.js')).href);
    edge = (await import(pathToFileURL(path.join(dir, 'edge.js')).href)).default;
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('accessDenied: open streams pass; a signed stream needs a valid token for its own key and viewer', () => {
    const key = newSigningKey();
    const now = Math.floor(Date.now() / 1000);
    const signed = { hls_signed: '1', hls_signing_keys: `${key.id}:${key.secret}`, hls_viewer_ip: '192.0.2.7' };
    const token = issueToken(key, { streamKey: 'demo', expiresAt: now + 60, clientIp: '192.0.2.7' });
    assert.equal(edge.accessDenied(fakeRequest({ variables: { hls_signed: '0' } })), '');
    assert.equal(edge.accessDenied(fakeRequest({ variables: signed })), 'missing');
    assert.equal(edge.accessDenied(fakeRequest({ variables: signed, args: { token } })), '');
    assert.equal(edge.accessDenied(fakeRequest({ variables: signed, args: { token }, uri: '/live/other/index.m3u8' })), 'bad-signature');
    assert.equal(edge.accessDenied(fakeRequest({ variables: { ...signed, hls_viewer_ip: '192.0.2.8' }, args: { token } })), 'bad-signature');
  });

  it('responseHeaders: CMSD-Static always, CMSD-Dynamic from the TCP state, Content-Length dropped only for rewritten playlists', () => {
    const r = fakeRequest({
      uri: '/live/demo/source/seg1.ts',
      variables: { tcpinfo_rtt: '20000', tcpinfo_rttvar: '0', tcpinfo_snd_cwnd: '10', hls_edge_name: 'edge-a', hls_ladder: '400,800,8000' },
    });
    r.headersOut['Content-Length'] = '100';
    edge.responseHeaders(r);
    assert.equal(r.headersOut['CMSD-Static'], 'ot=v,st=l');
    // 10 segments x 1448 B per 20 ms = 5792 kbit/s; 0.8 of it fits 800, not 8000.
    assert.equal(r.headersOut['CMSD-Dynamic'], '"edge-a";etp=5792;rtt=20;mb=800');
    assert.equal(r.headersOut['Content-Length'], '100');
    // When even the top transcoded rung fits, the source above it may too: no cap is suggested.
    const fast = fakeRequest({
      uri: '/live/demo/source/seg1.ts',
      variables: { tcpinfo_rtt: '20000', tcpinfo_rttvar: '0', tcpinfo_snd_cwnd: '10', hls_edge_name: 'edge-a', hls_ladder: '400,800' },
    });
    edge.responseHeaders(fast);
    assert.equal(fast.headersOut['CMSD-Dynamic'], '"edge-a";etp=5792;rtt=20');

    const playlist = fakeRequest({ variables: { hls_signed: '1' }, args: { token: 't' } });
    playlist.headersOut['Content-Length'] = '100';
    edge.responseHeaders(playlist);
    assert.equal(playlist.headersOut['CMSD-Static'], 'ot=m,st=l');
    assert.equal(playlist.headersOut['CMSD-Dynamic'], undefined, 'no RTT sample, no CMSD-Dynamic');
    assert.equal(playlist.headersOut['Content-Length'], undefined);
  });

  it('playlistBody: the token goes into every URI of a signed playlist, not for an edge fetching from its origin', () => {
    const r = fakeRequest({ variables: { hls_signed: '1' }, args: { token: 'K.1.a.S' } });
    edge.playlistBody(r, '#EXTM3U\n#EXTINF:2.000,\n', { last: false });
    edge.playlistBody(r, 'seg1.ts\n', { last: true });
    assert.deepEqual(r.sent, ['#EXTM3U\n#EXTINF:2.000,\nseg1.ts?token=K.1.a.S\n']);
    const fromEdge = fakeRequest({ variables: { hls_signed: '1', hls_from_edge: '1' }, args: { token: 'K.1.a.S' } });
    edge.playlistBody(fromEdge, 'seg1.ts\n', { last: true });
    assert.deepEqual(fromEdge.sent, ['seg1.ts\n']);
  });

  it('cmcdJson: CMCD from the query and the CMCD-* headers, as JSON', () => {
    const r = fakeRequest({ args: { CMCD: 'bl%3D2100%2Csid%3D%22abc%22' }, headersIn: { 'CMCD-Request': 'mtp=25400', 'CMCD-Status': 'bs' } });
    assert.deepEqual(JSON.parse(String(edge.cmcdJson(r))), { bl: 2100, sid: 'abc', mtp: 25400, bs: true });
  });

  it('purge and accessLogChunk refuse requests without the edge control token, and a purge names a stream key', () => {
    const refused = fakeRequest({ method: 'POST', variables: { hls_control_token: 'secret' }, headersIn: { 'X-HLS-Control-Token': 'wrong' } });
    edge.purge(refused);
    assert.equal(refused.returned?.status, 403);
    const noToken = fakeRequest({ variables: {}, headersIn: { 'X-HLS-Control-Token': '' } });
    edge.accessLogChunk(noToken);
    assert.equal(noToken.returned?.status, 403, 'a node without a token refuses everyone');
    const badKey = fakeRequest({
      method: 'POST',
      args: { stream: '../etc' },
      variables: { hls_control_token: 'secret' },
      headersIn: { 'X-HLS-Control-Token': 'secret' },
    });
    edge.purge(badKey);
    assert.equal(badKey.returned?.status, 400);
    const get = fakeRequest({ method: 'GET', variables: { hls_control_token: 'secret' }, headersIn: { 'X-HLS-Control-Token': 'secret' } });
    edge.purge(get);
    assert.equal(get.returned?.status, 405);
  });
});
