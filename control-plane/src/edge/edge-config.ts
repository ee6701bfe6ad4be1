import type { SigningKey } from './signing/playback-token.js';
import { renderTemplateFile } from '../origin/nginx-config.js';

/** Everything an edge's nginx server config is made of; gathered from the database by EdgeConfigService. */
export interface EdgeConfigInput {
  /** Node name: names the edge in CMSD and logs. */
  name: string;
  port: number;
  cacheDir: string;
  /** nginx size syntax (`1g`). */
  cacheMaxSize: string;
  /** Where the njs modules are (edge.js, the modules it imports, wasm-core.js). */
  njsDir: string;
  accessLog: string;
  /** Enabled origins, in a stable order (the consistent hash does not depend on it, diffs do). */
  origins: { host: string; port: number }[];
  /** Keys of streams with playback.signedUrls. */
  signedStreams: string[];
  /** Streams with an ABR ladder: total kbit/s of each rendition, for CMSD's mb. */
  ladders: { key: string; kbps: number[] }[];
  /** Verifying keys, signing key first. */
  signingKeys: SigningKey[];
  purgeToken: string;
}

/** The rendered config cannot work: it is reported on the node instead of being applied. */
export class EdgeConfigError extends Error {}

/** An origin's failures before nginx skips it, and for how long; a short pause keeps failover quick. */
const ORIGIN_MAX_FAILS = 1;
const ORIGIN_FAIL_TIMEOUT = '3s';

export async function renderEdgeConfig(input: EdgeConfigInput): Promise<string> {
  if (input.origins.length === 0) throw new EdgeConfigError('no enabled origin node to pull from');
  return renderTemplateFile('edge-server.conf.template', {
    EDGE_NAME: input.name,
    EDGE_PORT: String(input.port),
    CACHE_DIR: input.cacheDir,
    CACHE_MAX_SIZE: input.cacheMaxSize,
    NJS_DIR: input.njsDir,
    ACCESS_LOG: input.accessLog,
    ORIGIN_SERVERS: input.origins.map((o) => `    server ${o.host}:${o.port} max_fails=${ORIGIN_MAX_FAILS} fail_timeout=${ORIGIN_FAIL_TIMEOUT};`).join('\n'),
    SIGNED_STREAMS: input.signedStreams.map((key) => `    ${key} 1;`).join('\n'),
    STREAM_LADDERS: input.ladders
      .filter((l) => l.kbps.length > 0)
      .map((l) => `    ${l.key} "${[...l.kbps].sort((a, b) => a - b).join(',')}";`)
      .join('\n'),
    SIGNING_KEYS: input.signingKeys.map((k) => `${k.id}:${k.secret}`).join(' '),
    PURGE_TOKEN: input.purgeToken,
  });
}

/** host and port of an http:// node URL, as nginx's `server` directive wants them. */
export function hostAndPort(baseUrl: string): { host: string; port: number } {
  const url = new URL(baseUrl);
  if (url.protocol !== 'http:') throw new EdgeConfigError(`${baseUrl}: edges pull from origins over http:// only`);
  return { host: url.hostname, port: url.port ? Number(url.port) : 80 };
}
