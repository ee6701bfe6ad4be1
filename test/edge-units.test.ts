import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderEdgeConfig } from '../control-plane/src/edge/edge-config.js';
import { NodeConfigError } from '../control-plane/src/edge/signed-access-config.js';
import { activeConnectionsOf, HealthState, nextHealth } from '../control-plane/src/edge/health/health-hysteresis.js';
import { issueToken, newSigningKey, verifyToken } from '../control-plane/src/edge/signing/playback-token.js';
import { pathwayParameter, pathwayPriority, PathwayCandidate } from '../control-plane/src/edge/steering/pathway-priority.js';
import { steeredMaster } from '../control-plane/src/edge/steering/steered-master.js';
import { parseAccessLogLine, ViewerStats } from '../control-plane/src/edge/viewers/viewer-stats.js';
import { parseMasterPlaylist, writeMasterPlaylist } from '../control-plane/src/media/playlist/master-playlist.js';

describe('signed playback tokens', () => {
  const key = newSigningKey();
  const now = 1_800_000_000;
  const token = issueToken(key, { streamKey: 'demo', expiresAt: now + 60, clientIp: null });

  it('a fresh token for the stream verifies', () => assert.equal(verifyToken(token, [key], 'demo', '10.0.0.1', now), 'ok'));
  it('expired at its expiry second', () => assert.equal(verifyToken(token, [key], 'demo', '10.0.0.1', now + 60), 'expired'));
  it('another stream is refused', () => assert.equal(verifyToken(token, [key], 'other', '10.0.0.1', now), 'bad-signature'));
  it('a changed expiry is refused', () =>
    assert.equal(verifyToken(token.replace(`.${now + 60}.`, `.${now + 6000}.`), [key], 'demo', '1.1.1.1', now), 'bad-signature'));
  it('a missing or mangled token is refused', () => {
    assert.equal(verifyToken(undefined, [key], 'demo', '1.1.1.1', now), 'missing');
    assert.equal(verifyToken('abc', [key], 'demo', '1.1.1.1', now), 'malformed');
  });
  it('a retired key is unknown; both current keys verify', () => {
    const next = newSigningKey();
    assert.equal(verifyToken(token, [next], 'demo', '1.1.1.1', now), 'unknown-key');
    assert.equal(verifyToken(token, [next, key], 'demo', '1.1.1.1', now), 'ok');
  });
  it('an IP-bound token verifies only from that address', () => {
    const bound = issueToken(key, { streamKey: 'demo', expiresAt: now + 60, clientIp: '203.0.113.7' });
    assert.equal(verifyToken(bound, [key], 'demo', '203.0.113.7', now), 'ok');
    assert.equal(verifyToken(bound, [key], 'demo', '203.0.113.8', now), 'bad-signature');
  });
});

describe('node health hysteresis', () => {
  const run = (start: HealthState, probes: boolean[]) => probes.reduce((s, ok) => nextHealth(s, ok), start).status;
  it('an unknown node is decided by its first probe', () => {
    assert.equal(run({ status: 'unknown', streak: 0 }, [true]), 'up');
    assert.equal(run({ status: 'unknown', streak: 0 }, [false]), 'down');
  });
  it('goes down after 3 consecutive failures, not 2', () => {
    assert.equal(run({ status: 'up', streak: 0 }, [false, false]), 'up');
    assert.equal(run({ status: 'up', streak: 0 }, [false, false, false]), 'down');
    assert.equal(run({ status: 'up', streak: 0 }, [false, false, true, false, false]), 'up');
  });
  it('comes back after 2 consecutive successes', () => {
    assert.equal(run({ status: 'down', streak: 0 }, [true]), 'down');
    assert.equal(run({ status: 'down', streak: 0 }, [true, true]), 'up');
  });
  it('reads active connections from stub_status', () => {
    assert.equal(activeConnectionsOf('Active connections: 17 \nserver accepts handled requests\n'), 17);
    assert.equal(activeConnectionsOf('<html>'), null);
  });
});

describe('Content Steering pathway priority', () => {
  const edge = (name: string, extra: Partial<PathwayCandidate> = {}): PathwayCandidate => ({
    name,
    status: 'up',
    weight: 100,
    capacityMbps: 1000,
    activeConnections: 0,
    ...extra,
  });
  it('a down edge drops out; up ranks before unknown', () => {
    assert.deepEqual(pathwayPriority([edge('a', { status: 'down' }), edge('b', { status: 'unknown' }), edge('c')], null), ['c', 'b']);
  });
  it('higher weight first, weight 0 drains', () => {
    assert.deepEqual(pathwayPriority([edge('a', { weight: 50 }), edge('b', { weight: 200 }), edge('c', { weight: 0 })], null), ['b', 'a']);
  });
  it('a loaded edge yields to an idle one of the same weight', () => {
    assert.deepEqual(pathwayPriority([edge('a', { activeConnections: 150, capacityMbps: 1000 }), edge('b', { activeConnections: 5 })], null), ['b', 'a']);
  });
  it("the client's current pathway wins a near-tie", () => {
    assert.deepEqual(pathwayPriority([edge('a'), edge('b', { weight: 95 })], 'b'), ['b', 'a']);
    assert.deepEqual(pathwayPriority([edge('a'), edge('b', { weight: 50 })], 'b'), ['a', 'b']);
  });
  it('with nothing healthy, every edge stays listed', () => {
    assert.deepEqual(pathwayPriority([edge('a', { status: 'down' }), edge('b', { status: 'down' })], null), ['a', 'b']);
  });
  it('accepts the pathway quoted (draft) or bare (hls.js)', () => {
    assert.equal(pathwayParameter('"edge-a"'), 'edge-a');
    assert.equal(pathwayParameter('edge-a'), 'edge-a');
    assert.equal(pathwayParameter(undefined), null);
  });
});

describe('steered master playlist (RFC 8216bis 4.4.6.6, 4.4.6.2)', () => {
  const origin = writeMasterPlaylist([
    {
      uri: 'source/index.m3u8',
      bandwidth: 2_000_000,
      averageBandwidth: 1_800_000,
      codecs: ['avc1.64001f', 'mp4a.40.2'],
      resolution: { width: 1280, height: 720 },
      frameRate: 25,
    },
  ]);

  it('parse(write(x)) gives x back', () => {
    assert.deepEqual(parseMasterPlaylist(origin), [
      {
        uri: 'source/index.m3u8',
        bandwidth: 2_000_000,
        averageBandwidth: 1_800_000,
        codecs: ['avc1.64001f', 'mp4a.40.2'],
        resolution: { width: 1280, height: 720 },
        frameRate: 25,
      },
    ]);
  });

  it('one copy of each variant per pathway, absolute on its edge, with EXT-X-CONTENT-STEERING', () => {
    const text = steeredMaster(
      origin,
      'demo',
      [
        { id: 'edge-a', baseUrl: 'http://a.example:8081' },
        { id: 'edge-b', baseUrl: 'http://b.example:8081/' },
      ],
      { serverUri: 'http://cp:3000/steering/demo.json', pathwayId: 'edge-a' },
    );
    assert.match(text, /^#EXT-X-CONTENT-STEERING:SERVER-URI="http:\/\/cp:3000\/steering\/demo.json",PATHWAY-ID="edge-a"$/m);
    const variants = parseMasterPlaylist(text);
    assert.deepEqual(
      variants.map((v) => [v.pathwayId, v.uri, v.stableVariantId]),
      [
        ['edge-a', 'http://a.example:8081/live/demo/source/index.m3u8', 'source'],
        ['edge-b', 'http://b.example:8081/live/demo/source/index.m3u8', 'source'],
      ],
    );
    assert.equal(variants[1].bandwidth, 2_000_000);
    assert.deepEqual(variants[1].codecs, ['avc1.64001f', 'mp4a.40.2']);
  });

  it('an ABR ladder: every rung on every pathway, each rung named the same on all of them', () => {
    const rung = (name: string, kbps: number, height: number) => ({
      uri: `${name}/index.m3u8`,
      bandwidth: kbps * 1000,
      codecs: ['avc1.64001f', 'mp4a.40.2'],
      resolution: { width: (height * 16) / 9, height },
    });
    const ladder = writeMasterPlaylist([rung('source', 6000, 1080), rung('720p', 3000, 720), rung('360p', 800, 360)]);
    const pathways = [
      { id: 'edge-a', baseUrl: 'http://a.example:8081' },
      { id: 'edge-b', baseUrl: 'http://b.example:8081' },
    ];
    const variants = parseMasterPlaylist(steeredMaster(ladder, 'demo', pathways, { serverUri: '/steering/demo.json' }));
    assert.deepEqual(
      variants.map((v) => [v.pathwayId, v.stableVariantId, v.bandwidth, v.uri.replace(/^http:\/\/(.)\..*\/live\/demo\//, '$1:')]),
      [
        ['edge-a', 'source', 6_000_000, 'a:source/index.m3u8'],
        ['edge-a', '720p', 3_000_000, 'a:720p/index.m3u8'],
        ['edge-a', '360p', 800_000, 'a:360p/index.m3u8'],
        ['edge-b', 'source', 6_000_000, 'b:source/index.m3u8'],
        ['edge-b', '720p', 3_000_000, 'b:720p/index.m3u8'],
        ['edge-b', '360p', 800_000, 'b:360p/index.m3u8'],
      ],
    );
  });

  it('without edges the origin master is served unchanged', () => {
    assert.equal(steeredMaster(origin, 'demo', [], { serverUri: '/x' }), origin);
  });
});

describe('viewer metrics from CMCD', () => {
  const line = (stream: string, client: string, cmcd: Record<string, unknown>, status = 200) =>
    JSON.stringify({ time: '', edge: 'e', stream, path: `/live/${stream}/x.ts`, status, bytes: 100, cache: 'HIT', client, cmcd });
  it('counts sessions by sid (else address) within the window and averages their latest values', () => {
    const stats = new ViewerStats(30_000);
    for (const l of [
      line('demo', '10.0.0.1', { sid: 's1', br: 1000, bl: 4000 }),
      line('demo', '10.0.0.1', { sid: 's1', br: 2000, bl: 6000 }),
      line('demo', '10.0.0.1', { sid: 's2', br: 4000 }),
      line('demo', '10.0.0.9', {}),
      line('demo', '10.0.0.5', {}, 403),
      line('other', '10.0.0.1', { sid: 's9' }),
    ])
      stats.add(parseAccessLogLine(l)!, 1000);
    const s = stats.summary('demo', 2000);
    assert.equal(s.viewers, 3);
    assert.equal(s.requestedBitrateKbps, 3000);
    assert.equal(s.bufferLengthMs, 6000);
    assert.equal(s.requests, 5);
    assert.equal(stats.summary('demo', 1000 + 30_001).viewers, 0, 'sessions leave after the window');
  });
  it('ignores lines that are not ours', () => {
    assert.equal(parseAccessLogLine('127.0.0.1 - - [x] "GET /"'), null);
    assert.equal(parseAccessLogLine('{"truncated'), null);
  });
});

describe('edge config rendering', () => {
  it('refuses to render an edge with no origin to pull from', async () => {
    await assert.rejects(
      renderEdgeConfig({
        name: 'e',
        port: 1,
        cacheDir: '/c',
        cacheMaxSize: '1g',
        njsDir: '/n',
        accessLog: '/a',
        origins: [],
        signedStreams: [],
        ladders: [],
        signingKeys: [],
        controlToken: 'p',
        controlPlaneAddress: '127.0.0.1:3000',
      }),
      (error: unknown) => error instanceof NodeConfigError && /no enabled origin/.test(error.message),
    );
  });
  it('lists origins for consistent hashing, signed streams and both keys', async () => {
    const text = await renderEdgeConfig({
      name: 'edge-a',
      port: 8081,
      cacheDir: '/c',
      cacheMaxSize: '1g',
      njsDir: '/n',
      accessLog: '/a',
      origins: [
        { host: '10.0.0.1', port: 8080 },
        { host: '10.0.0.2', port: 8080 },
      ],
      signedStreams: ['paid'],
      ladders: [
        { key: 'paid', kbps: [3000, 800] },
        { key: 'plain', kbps: [] },
      ],
      signingKeys: [
        { id: 'k2', secret: 's2' },
        { id: 'k1', secret: 's1' },
      ],
      controlToken: 'p',
      controlPlaneAddress: '10.0.0.9:3000',
    });
    assert.match(text, /upstream hls_control_plane \{\n\s+server 10\.0\.0\.9:3000;/, 'held LL-HLS requests wait in the control plane');
    assert.match(text, /hash \$hls_stream consistent;\n\s+server 10\.0\.0\.1:8080 [^\n]+\n\s+server 10\.0\.0\.2:8080/);
    assert.match(text, /^\s+paid 1;$/m);
    assert.match(text, /^\s+paid "800,3000";$/m, 'ladders ascending');
    assert.doesNotMatch(text, /plain "/, 'no ladder, no entry');
    assert.match(text, /set \$hls_signing_keys "k2:s2 k1:s1";/);
    assert.doesNotMatch(text, /\$\{[A-Z_]+\}/, 'every placeholder filled');
  });
});
