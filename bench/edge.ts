// npm run bench:edge [-- --segment-requests 3000 --playlist-requests 30000 --rounds 5 --connections 16 --viewers 200]
// 1. Throughput: requests/s and MB/s for a cached 1 MB segment and for a playlist, from the edge
//    (rendered exactly as the control plane renders it, njs hooks on: CMSD, signed-URL check,
//    CMCD JSON log) and from a plain nginx serving the same files statically with no njs.
//    Runs alternate edge/plain so machine noise hits both alike; the medians are compared.
// 2. Origin offload: N simulated viewers of one live stream (a new segment every second) through
//    the edge; origin requests per 1,000 viewer requests.
// Last line: ratio=<edge/plain requests per second for the segment>.
import http from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freeLoopbackPort } from '../control-plane/src/database/embedded-postgres.js';
import { renderEdgeConfig } from '../control-plane/src/edge/edge-config.js';
import { installNjsModules } from '../control-plane/src/edge/njs-modules.js';
import { newSigningKey } from '../control-plane/src/edge/signing/playback-token.js';
import { renderOriginConfig } from '../control-plane/src/edge/origin-config.js';
import { NginxInstance } from '../control-plane/src/nginx/nginx-instance.js';
import { Load, load } from './support/http-load.js';
import { numberOption } from './support/options.js';

const SEGMENT_REQUESTS = numberOption('segment-requests', 3000);
const PLAYLIST_REQUESTS = numberOption('playlist-requests', 30000);
const ROUNDS = numberOption('rounds', 5);
const CONNECTIONS = numberOption('connections', 16);
const VIEWERS = numberOption('viewers', 200);
const LIVE_SECONDS = numberOption('live-seconds', 12);
const SEGMENT_BYTES = 1024 * 1024;
const quiet = { log: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) };

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rps = (l: Load) => l.requests / l.seconds;
const mbps = (l: Load) => l.bytes / l.seconds / 1e6;

async function requestsServed(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/nginx_status`)).text();
  return Number(text.split('\n')[2].trim().split(/\s+/)[2]);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hls-bench-edge-'));
  const media = path.join(dir, 'media');
  const started: NginxInstance[] = [];
  try {
    await mkdir(path.join(media, 'live', 'bench', 'source'), { recursive: true });
    await writeFile(path.join(media, 'live', 'bench', 'source', 'seg0.ts'), Buffer.alloc(SEGMENT_BYTES, 0x47));
    const playlist = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:2', '#EXT-X-MEDIA-SEQUENCE:0'];
    for (let i = 0; i < 6; i++) playlist.push('#EXT-X-PROGRAM-DATE-TIME:2026-11-25T10:00:00.000Z', '#EXTINF:2.000,', `seg${i}.ts`);
    await writeFile(path.join(media, 'live', 'bench', 'source', 'index.m3u8'), `${playlist.join('\n')}\n`);
    const njsDir = path.join(dir, 'njs');
    await mkdir(njsDir, { recursive: true });
    await installNjsModules(njsDir);

    const [originPort, plainPort, edgePort] = [await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort()];
    const run = async (name: string, config: string, njs: boolean, cacheDir?: string, moreWritable: string[] = []) => {
      const writable = [...(cacheDir ? [cacheDir] : []), ...moreWritable];
      const nginx = new NginxInstance({
        role: name,
        binary: 'nginx',
        prefix: path.join(dir, name),
        workerPaths: [path.join(media, 'live', 'x'), ...writable.map((d) => path.join(d, 'x'))],
        workerWritableDirs: writable,
        njs,
        logger: quiet,
      });
      await nginx.start(config);
      started.push(nginx);
    };
    // The origin config with no signed stream: njs is loaded but never called, as on a plain static nginx.
    const staticConfig = (port: number) =>
      renderOriginConfig({
        listen: String(port),
        mediaRoot: media,
        njsDir,
        signedStreams: [],
        signingKeys: [newSigningKey()],
        trustedEdgeTokens: [],
        controlPlaneAddress: '127.0.0.1:9', // TS only: nothing blocks
      });
    await run('origin', await staticConfig(originPort), true);
    await run('plain', await staticConfig(plainPort), true);
    const cacheDir = path.join(dir, 'edge-cache');
    const mirrorDir = path.join(dir, 'edge-mirror');
    const mirrorPort = await freeLoopbackPort();
    const edgeConfig = await renderEdgeConfig({
      name: 'bench-edge',
      port: edgePort,
      cacheDir,
      cacheMaxSize: '1g',
      njsDir,
      accessLog: path.join(dir, 'edge-access.log'),
      origins: [{ host: '127.0.0.1', port: originPort }],
      signedStreams: [],
      ladders: [{ key: 'bench', kbps: [800, 2500, 6000] }],
      signingKeys: [newSigningKey()],
      controlToken: 'bench',
      controlPlaneAddress: '127.0.0.1:9', // TS only: nothing blocks
    });
    await mkdir(mirrorDir, { recursive: true });
    await run('edge', edgeConfig + staticMirrorServer(mirrorPort, mirrorDir, path.join(dir, 'edge-access.log')), true, cacheDir, [mirrorDir]);

    console.log(
      `edge (njs: CMSD, signed-URL check, CMCD JSON log) vs plain static nginx; curl with ${CONNECTIONS} parallel keep-alive connections, ${SEGMENT_REQUESTS} segment and ${PLAYLIST_REQUESTS} playlist requests per run, ${ROUNDS} alternating rounds`,
    );
    const results: Record<string, Load[]> = { 'edge segment': [], 'mirror segment': [], 'plain segment': [], 'edge playlist': [], 'plain playlist': [] };
    const segment = '/live/bench/source/seg0.ts';
    const media_ = '/live/bench/source/index.m3u8';
    const edge = { port: edgePort, prefix: path.join(dir, 'edge') };
    const plain = { port: plainPort, prefix: path.join(dir, 'plain') };
    const mirror = { port: mirrorPort, prefix: path.join(dir, 'edge') };
    // Warm-up: fills the edge cache and the mirror, and the page caches.
    await load(edge, segment, 200, 2);
    await load(mirror, segment, 200, 2);
    await load(plain, segment, 200, 2);
    for (let round = 0; round < ROUNDS; round++) {
      results['edge segment'].push(await load(edge, segment, SEGMENT_REQUESTS, CONNECTIONS));
      results['mirror segment'].push(await load(mirror, segment, SEGMENT_REQUESTS, CONNECTIONS));
      results['plain segment'].push(await load(plain, segment, SEGMENT_REQUESTS, CONNECTIONS));
      results['edge playlist'].push(await load(edge, media_, PLAYLIST_REQUESTS, CONNECTIONS));
      results['plain playlist'].push(await load(plain, media_, PLAYLIST_REQUESTS, CONNECTIONS));
    }
    for (const [name, runs] of Object.entries(results)) {
      console.log(
        `${name.padEnd(15)} ${median(runs.map(rps)).toFixed(0).padStart(7)} req/s  ${median(runs.map(mbps)).toFixed(1).padStart(8)} MB/s  ${median(
          runs.map((r) => r.cpuUsPerRequest),
        )
          .toFixed(0)
          .padStart(5)} µs CPU/request in nginx   (runs: ${runs.map((r) => rps(r).toFixed(0)).join(', ')})`,
      );
    }
    const segmentRatio = median(results['edge segment'].map(rps)) / median(results['plain segment'].map(rps));
    const mirrorRatio = median(results['mirror segment'].map(rps)) / median(results['plain segment'].map(rps));
    console.log(
      `segment, edge's proxy cache / plain ${segmentRatio.toFixed(3)}; a static mirror filled by proxy_store, same njs hooks and log / plain ${mirrorRatio.toFixed(3)}`,
    );
    const playlistRatio = median(results['edge playlist'].map(rps)) / median(results['plain playlist'].map(rps));

    const offload = await originOffload(media, edgePort, originPort);
    console.log(
      `origin offload: ${VIEWERS} viewers of one live stream for ${LIVE_SECONDS} s made ${offload.viewerRequests} requests to the edge; the origin saw ${offload.originRequests} (${offload.perThousand.toFixed(1)} per 1,000 viewer requests)`,
    );
    console.log(
      `edge bench: segment edge/plain ${segmentRatio.toFixed(3)}, playlist edge/plain ${playlistRatio.toFixed(3)}, origin requests per 1000 viewer requests ${offload.perThousand.toFixed(1)}, ratio=${segmentRatio.toFixed(3)}`,
    );
  } finally {
    for (const nginx of started.reverse()) await nginx.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The alternative the edge could use for immutable objects (segments, parts, init files): a plain
 * static mirror that a miss fills with proxy_store, served with the same njs header filter (CMSD)
 * and JSON access log as the cache. What it would give up is not measured here: proxy_store has no
 * lock (concurrent misses each go to the origin), no size limit or eviction (a sweeper would have to
 * delete old files), and purge would have to delete mirror files too.
 */
function staticMirrorServer(port: number, mirrorDir: string, accessLog: string): string {
  return `
server {
    listen 127.0.0.1:${port};
    set $hls_edge_name bench-mirror;
    location ~ "\\.(ts|m4s|mp4)$" {
        access_log ${accessLog} hls_edge_json buffer=64k flush=1s;
        if ($hls_denied) {
            return 403;
        }
        root ${mirrorDir};
        try_files $uri @fill;
        js_header_filter edge.responseHeaders;
        add_header Cache-Control "public, max-age=31536000, immutable" always;
        add_header Access-Control-Allow-Origin "*" always;
        add_header Access-Control-Expose-Headers "CMSD-Static, CMSD-Dynamic, X-Cache-Status, Content-Length, Content-Range" always;
        open_file_cache max=10000 inactive=30s;
        open_file_cache_valid 1s;
    }
    location @fill {
        access_log ${accessLog} hls_edge_json buffer=64k flush=1s;
        proxy_pass http://hls_origin;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_store on;
        proxy_store_access user:rw group:r all:r;
        root ${mirrorDir};
        js_header_filter edge.responseHeaders;
    }
}
`;
}

/**
 * A live stream that gains a 200 KB segment every second (window of 6), watched by VIEWERS
 * players through the edge: each reloads the media playlist every second (its target duration)
 * and fetches every segment it has not seen, as hls.js does.
 */
async function originOffload(
  media: string,
  edgePort: number,
  originPort: number,
): Promise<{ viewerRequests: number; originRequests: number; perThousand: number }> {
  const dir = path.join(media, 'live', 'offload', 'source');
  await mkdir(dir, { recursive: true });
  let sequence = 0;
  const publish = async () => {
    await writeFile(path.join(dir, `seg${sequence}.ts`), Buffer.alloc(200 * 1024, 0x47));
    const first = Math.max(0, sequence - 5);
    const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:1', `#EXT-X-MEDIA-SEQUENCE:${first}`];
    for (let i = first; i <= sequence; i++) lines.push('#EXTINF:1.000,', `seg${i}.ts`);
    await writeFile(path.join(dir, 'index.m3u8.tmp'), `${lines.join('\n')}\n`);
    await import('node:fs/promises').then((fs) => fs.rename(path.join(dir, 'index.m3u8.tmp'), path.join(dir, 'index.m3u8')));
    sequence++;
  };
  await publish();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const get = (route: string) =>
    new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: edgePort, path: route, agent }, (res) => {
          let body = '';
          res.setEncoding('latin1');
          res.on('data', (c: string) => (body += c.length < 4096 ? c : ''));
          res.on('end', () => resolve(body));
        })
        .on('error', reject);
    });
  const before = await requestsServed(originPort);
  const publisher = setInterval(() => void publish(), 1000);
  let viewerRequests = 0;
  const deadline = Date.now() + LIVE_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: VIEWERS }, async (_, v) => {
      const seen = new Set<string>();
      await new Promise((r) => setTimeout(r, (v * 1000) / VIEWERS)); // viewers do not arrive in lockstep
      while (Date.now() < deadline) {
        const text = await get(`/live/offload/source/index.m3u8?CMCD=sid%3D%22v${v}%22`);
        viewerRequests++;
        for (const uri of text.split('\n').filter((l) => l.endsWith('.ts'))) {
          if (seen.has(uri)) continue;
          seen.add(uri);
          await get(`/live/offload/source/${uri}`);
          viewerRequests++;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    }),
  );
  clearInterval(publisher);
  agent.destroy();
  // Less the status request of the first count.
  const originRequests = (await requestsServed(originPort)) - before - 1;
  return { viewerRequests, originRequests, perThousand: (originRequests / viewerRequests) * 1000 };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
