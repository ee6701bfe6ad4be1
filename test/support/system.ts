import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freeLoopbackPort } from '../../control-plane/src/database/embedded-postgres.js';
import { createTestDatabase, TestDatabase } from './database.js';
import { cleanEnv, RunningProcess, startProcess } from './process.js';

export interface SystemUnderTest {
  apiPort: number;
  httpPort: number;
  /** The local edge's port (HLS_EDGE_PORT); null when started without one. */
  edgePort: number | null;
  mediaRoot: string;
  dataDir: string;
  token: string;
  proc: RunningProcess;
  /** The API, with the admin token. */
  api(method: string, route: string, body?: unknown): Promise<{ status: number; json: any }>;
  origin(route: string): Promise<Response>;
  edge(route: string, init?: RequestInit): Promise<Response>;
  restart(): Promise<void>;
  stop(): Promise<number | string>;
  dispose(): Promise<void>;
}

export interface SystemOptions {
  /** Also run the local edge (HLS_EDGE_PORT). */
  edge?: boolean;
  /** Extra environment (HEALTH_CHECK_INTERVAL_MS, STEERING_TTL_SECONDS ...). */
  env?: Record<string, string>;
}

/**
 * The whole system as `npm start` runs it (control plane, ingest workers, origin nginx, and the
 * local edge when asked), on free loopback ports, against a fresh database of the suite's PostgreSQL.
 */
export async function startSystem(options: SystemOptions = {}): Promise<SystemUnderTest> {
  const database: TestDatabase = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hls-sys-'));
  await chmod(dataDir, 0o755);
  const mediaRoot = path.join(dataDir, 'media');
  const apiPort = await freeLoopbackPort();
  const httpPort = await freeLoopbackPort();
  const edgePort = options.edge ? await freeLoopbackPort() : null;
  const token = 'e2e';
  const env = cleanEnv({
    DATABASE_URL: database.url,
    HLS_ADMIN_TOKEN: token,
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    HLS_HTTP_PORT: String(httpPort),
    MEDIA_ROOT: mediaRoot,
    DATA_DIR: dataDir,
    ...(edgePort ? { HLS_EDGE_PORT: String(edgePort) } : {}),
    ...options.env,
  });
  let stopping = false;
  const launch = async () => {
    const proc = startProcess(process.execPath, ['dist/control-plane/src/main.js'], env);
    // A control plane that dies under a test says why, instead of leaving only "fetch failed".
    void proc.exited.then((code) => {
      if (!stopping) console.error(`the control plane under test exited by itself (${code}); its output:\n${proc.output()}`);
    });
    await proc.waitFor(/ready; Ctrl-C stops everything/, 60_000);
    return proc;
  };
  const system: SystemUnderTest = {
    apiPort,
    httpPort,
    edgePort,
    mediaRoot,
    dataDir,
    token,
    proc: await launch(),
    async api(method, route, body) {
      const res = await fetch(`http://127.0.0.1:${apiPort}${route}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, json: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
    },
    origin: (route) => fetch(`http://127.0.0.1:${httpPort}${route}`),
    // The edge reloads on configuration changes, closing idle keep-alive connections: a GET that
    // raced one is repeated once, as HTTP clients do for idempotent requests.
    edge: (route, init) => fetch(`http://127.0.0.1:${edgePort}${route}`, init).catch(() => fetch(`http://127.0.0.1:${edgePort}${route}`, init)),
    async restart() {
      await system.stop();
      stopping = false;
      system.proc = await launch();
    },
    async stop() {
      stopping = true;
      system.proc.child.kill('SIGTERM');
      return system.proc.exitWithin();
    },
    async dispose() {
      if (system.proc.child.exitCode === null) await system.stop();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return system;
}

/** Polls `check` until it returns a value (not undefined), failing after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
