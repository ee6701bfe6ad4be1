import path from 'node:path';

/** Everything the control plane reads from its environment, validated once at boot. */
export interface AppConfig {
  /** Address the REST API binds to. */
  host: string;
  /** REST API port. */
  port: number;
  /** Port of the origin nginx that serves MEDIA_ROOT (rendered and supervised by the live pipeline). */
  hlsHttpPort: number;
  /**
   * Address the local origin nginx listens on. Loopback when a local edge fronts it (players
   * and other machines go through the edge); every interface when the origin is the playback URL.
   */
  hlsHttpBind: string;
  /** Port of the optional local edge nginx; null when no local edge runs. */
  hlsEdgePort: number | null;
  /** External PostgreSQL; null means "start the embedded one under DATA_DIR". */
  databaseUrl: string | null;
  /** Bootstrap admin bearer token; null means "generate one and keep it under DATA_DIR". */
  adminToken: string | null;
  /** Where segments and playlists are written (absolute). */
  mediaRoot: string;
  /** Where the control plane keeps its own state: embedded database, generated secrets (absolute). */
  dataDir: string;
  /** Worker threads that receive and package streams (capped by the number of cores). */
  ingestWorkers: number;
  /** The nginx binary for the origin (and local edge). */
  nginxBinary: string;
  /** Run the origin nginx here; false when another process serves MEDIA_ROOT (docker-compose's origin service). */
  localOrigin: boolean;
  /** Host name or address players and edges use to reach this machine (node URLs, steering). */
  publicHost: string;
  /** Largest disk cache of the local edge, in nginx size syntax (`512m`, `5g`). */
  edgeCacheSize: string;
  /** How often every enabled node is health-checked. */
  healthCheckIntervalMs: number;
  /** TTL of steering manifests: how soon players hear that a pathway went down. */
  steeringTtlSeconds: number;
  /** host:port at which origins reach this control plane (LL-HLS blocking requests wait here). */
  controlPlaneAddress: string;
  /** How often each ABR rung's picture quality (SSIM, PSNR) is scored against the source. */
  qualityProbeSeconds: number;
  /** The one TCP port every RTMP stream publishes to (the RTMP front, an nginx with the RTMP module). */
  rtmpPort: number;
}

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`invalid configuration: ${key} ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/**
 * One place for every key and its default. Defaults are chosen so that `npm start` on a laptop
 * works without any environment at all.
 */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): AppConfig {
  const dataDir = path.resolve(cwd, text(env, 'DATA_DIR') ?? './data');
  return {
    // 0.0.0.0 so that the API is reachable from the encoder's and the operator's machines.
    host: text(env, 'HOST') ?? '0.0.0.0',
    // 3000 is the NestJS convention; the origin's 8080 keeps the two apart.
    port: tcpPort(env, 'PORT', 3000),
    hlsHttpPort: tcpPort(env, 'HLS_HTTP_PORT', 8080),
    hlsEdgePort: optionalTcpPort(env, 'HLS_EDGE_PORT'),
    hlsHttpBind: bindAddress(env, 'HLS_HTTP_BIND', optionalTcpPort(env, 'HLS_EDGE_PORT') === null ? '0.0.0.0' : '127.0.0.1'),
    databaseUrl: databaseUrl(env),
    adminToken: adminToken(env),
    // Media lives under DATA_DIR by default so that one folder holds a whole installation.
    mediaRoot: path.resolve(cwd, text(env, 'MEDIA_ROOT') ?? './data/media'),
    dataDir,
    // Two threads keep ingest off the API's event loop and use both cores of a small machine.
    ingestWorkers: positiveInteger(env, 'INGEST_WORKERS', 2),
    nginxBinary: text(env, 'NGINX_BIN') ?? 'nginx',
    // One machine runs everything; in docker-compose the origin is its own container.
    localOrigin: flag(env, 'HLS_LOCAL_ORIGIN', true),
    // Loopback works for a player on the same machine; set it to the machine's name to serve others.
    publicHost: publicHost(env),
    edgeCacheSize: nginxSize(env, 'HLS_EDGE_CACHE_SIZE', '1g'),
    // Two seconds with three failures to go down: a dead edge leaves steering within about 6 s.
    healthCheckIntervalMs: boundedInteger(env, 'HEALTH_CHECK_INTERVAL_MS', 2000, 100, 600_000),
    // Short, so that a failed edge drops out of players' pathway lists quickly (hls.js starts at 300 s).
    steeringTtlSeconds: boundedInteger(env, 'STEERING_TTL_SECONDS', 10, 1, 86_400),
    // The local origin runs beside it; docker-compose's origin container names the service.
    controlPlaneAddress: hostAndPort(env, 'HLS_CONTROL_PLANE_ADDRESS', `127.0.0.1:${tcpPort(env, 'PORT', 3000)}`),
    // About one segment per rung a minute: a sample, at low priority, not a second encoder.
    qualityProbeSeconds: boundedInteger(env, 'QUALITY_PROBE_SECONDS', 60, 5, 3600),
    // RTMP's registered port: what OBS and every encoder assume when the URL names none.
    rtmpPort: tcpPort(env, 'RTMP_PORT', 1935),
  };
}

/** An unset or blank variable counts as absent: `PORT= npm start` means "the default". */
function text(env: Env, key: string): string | undefined {
  const value = env[key]?.trim();
  return value ? value : undefined;
}

function tcpPort(env: Env, key: string, fallback: number): number {
  return optionalTcpPort(env, key) ?? fallback;
}

function optionalTcpPort(env: Env, key: string): number | null {
  const raw = text(env, key);
  if (raw === undefined) return null;
  if (!/^\d+$/.test(raw)) throw new ConfigError(key, `must be a TCP port number, got "${raw}"`);
  const port = Number(raw);
  if (port < 1 || port > 65535) throw new ConfigError(key, `must be between 1 and 65535, got ${port}`);
  return port;
}

function positiveInteger(env: Env, key: string, fallback: number): number {
  const raw = text(env, key);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 64) throw new ConfigError(key, `must be a whole number from 1 to 64, got "${raw}"`);
  return Number(raw);
}

function flag(env: Env, key: string, fallback: boolean): boolean {
  const raw = text(env, key);
  if (raw === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(key, `must be true or false, got "${raw}"`);
}

function boundedInteger(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = text(env, key);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new ConfigError(key, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  return Number(raw);
}

function nginxSize(env: Env, key: string, fallback: string): string {
  const raw = text(env, key) ?? fallback;
  if (!/^\d{1,9}[kmg]?$/i.test(raw)) throw new ConfigError(key, `must be an nginx size like 512m or 5g, got "${raw}"`);
  return raw;
}

function bindAddress(env: Env, key: string, fallback: string): string {
  const raw = text(env, key) ?? fallback;
  // nginx's listen takes an IPv4 address or a bracketed IPv6 one before the port.
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(raw);
  if (ipv4 && ipv4.slice(1).every((octet) => Number(octet) <= 255)) return raw;
  if (/^\[[0-9a-fA-F:]{2,39}\]$/.test(raw)) return raw;
  throw new ConfigError(key, `must be an IPv4 address or a bracketed IPv6 address ([::1]), got "${raw}"`);
}

/** host:port for an nginx upstream server: a host name or IPv4 address, or [IPv6], and a port. */
function hostAndPort(env: Env, key: string, fallback: string): string {
  const raw = text(env, key) ?? fallback;
  const match = /^([a-zA-Z0-9.-]{1,253}|\[[0-9a-fA-F:.]+\]):(\d{1,5})$/.exec(raw);
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) throw new ConfigError(key, `must be host:port (control-plane:3000), got "${raw}"`);
  return raw;
}

function publicHost(env: Env): string {
  const raw = text(env, 'HLS_PUBLIC_HOST') ?? '127.0.0.1';
  // It ends up in URLs and nginx configs: a bare host name, IPv4 address or [IPv6] address.
  if (!/^([a-zA-Z0-9.-]{1,253}|\[[0-9a-fA-F:.]+\])$/.test(raw))
    throw new ConfigError('HLS_PUBLIC_HOST', `must be a host name or address without scheme or port, got "${raw}"`);
  return raw;
}

function databaseUrl(env: Env): string | null {
  const raw = text(env, 'DATABASE_URL');
  if (raw === undefined) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('DATABASE_URL', 'must be a URL like postgres://user:password@host:5432/db');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL', `must use the postgres:// scheme, got "${url.protocol}"`);
  }
  return raw;
}

function adminToken(env: Env): string | null {
  const raw = text(env, 'HLS_ADMIN_TOKEN');
  if (raw === undefined) return null;
  // A token with inner spaces cannot be sent in a Bearer header.
  if (/\s/.test(raw)) throw new ConfigError('HLS_ADMIN_TOKEN', 'must not contain white space');
  return raw;
}
