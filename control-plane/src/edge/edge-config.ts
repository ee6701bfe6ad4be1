import { renderServerConfig } from '../nginx/nginx-config.js';
import { LAYOUT_TEMPLATE_VALUES } from './layout-template-values.js';
import { NodeConfigError, renderSignedAccess, SignedAccessInput } from './signed-access-config.js';

/** Everything an edge's nginx server config is made of; gathered from the database by EdgeConfigService. */
export interface EdgeConfigInput extends Omit<SignedAccessInput, 'trustedEdgeTokens'> {
  /** Node name: names the edge in CMSD and logs. */
  name: string;
  port: number;
  cacheDir: string;
  /** nginx size syntax (`1g`). */
  cacheMaxSize: string;
  accessLog: string;
  /** Enabled origins, in a stable order (the consistent hash does not depend on it, diffs do). */
  origins: { host: string; port: number }[];
  /** Streams with an ABR ladder: total kbit/s of each rendition, for CMSD's mb. */
  ladders: { key: string; kbps: number[] }[];
  controlToken: string;
  /** host:port where this edge reaches the control plane (LL-HLS blocking requests wait there). */
  controlPlaneAddress: string;
}

/** An origin's failures before nginx skips it, and for how long; a short pause keeps failover quick. */
const ORIGIN_MAX_FAILS = 1;
const ORIGIN_FAIL_TIMEOUT = '3s';

export async function renderEdgeConfig(input: EdgeConfigInput): Promise<string> {
  if (input.origins.length === 0) throw new NodeConfigError('no enabled origin node to pull from');
  return renderServerConfig('edge-server.conf.template', {
    ...LAYOUT_TEMPLATE_VALUES,
    // An edge believes no one else about who the viewer is.
    ...(await renderSignedAccess({ ...input, trustedEdgeTokens: [] })),
    EDGE_NAME: input.name,
    EDGE_PORT: String(input.port),
    CACHE_DIR: input.cacheDir,
    CACHE_MAX_SIZE: input.cacheMaxSize,
    ACCESS_LOG: input.accessLog,
    ORIGIN_SERVERS: input.origins.map((o) => `    server ${o.host}:${o.port} max_fails=${ORIGIN_MAX_FAILS} fail_timeout=${ORIGIN_FAIL_TIMEOUT};`).join('\n'),
    STREAM_LADDERS: input.ladders
      .filter((l) => l.kbps.length > 0)
      .map((l) => `    ${l.key} "${[...l.kbps].sort((a, b) => a - b).join(',')}";`)
      .join('\n'),
    CONTROL_TOKEN: input.controlToken,
    CONTROL_PLANE_ADDRESS: input.controlPlaneAddress,
  });
}

/** host and port of an http:// node URL, as nginx's `server` directive wants them. */
export function hostAndPort(baseUrl: string): { host: string; port: number } {
  const url = new URL(baseUrl);
  if (url.protocol !== 'http:') throw new NodeConfigError(`${baseUrl}: edges pull from origins over http:// only`);
  return { host: url.hostname, port: url.port ? Number(url.port) : 80 };
}
