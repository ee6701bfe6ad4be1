// The whole system as benchmarks run it: embedded PostgreSQL and the built control plane (with its
// nginx), in `work`, with an admin token; an API helper; and how to stop both.
import { mkdirSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import path from 'node:path';
import { freeLoopbackPort, startEmbeddedPostgres } from '../../control-plane/src/database/embedded-postgres.js';
import { startProcess } from '../../test/support/process.js';

export interface BenchSystem {
  /** The control plane's process id (its CPU is what a benchmark counts as ours). */
  pid: number;
  /** http://127.0.0.1:<port> of the API. */
  apiUrl: string;
  api(method: string, route: string, body?: unknown): Promise<any>;
  stop(): Promise<void>;
}

/** `env`: extra environment for the control plane (RTMP_PORT ...). */
export async function startBenchSystem(work: string, env: Record<string, string> = {}): Promise<BenchSystem> {
  const pgDir = path.join(work, 'pg-data');
  mkdirSync(pgDir, { recursive: true });
  await chmod(pgDir, 0o755);
  const db = await startEmbeddedPostgres(pgDir, { log: () => undefined, warn: (m) => console.error(m) });
  const apiPort = await freeLoopbackPort();
  const system = startProcess(process.execPath, ['dist/control-plane/src/main.js'], {
    ...process.env,
    DATABASE_URL: db.url,
    HLS_ADMIN_TOKEN: 'bench',
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    HLS_HTTP_PORT: String(await freeLoopbackPort()),
    DATA_DIR: path.join(work, 'cp'),
    MEDIA_ROOT: path.join(work, 'cp', 'media'),
    ...env,
  });
  const stop = async () => {
    system.child.kill('SIGTERM');
    await system.exited;
    await db.stop();
  };
  try {
    await system.waitFor(/ready; Ctrl-C stops everything/, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    pid: system.child.pid!,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    api: (method, route, body) =>
      fetch(`http://127.0.0.1:${apiPort}${route}`, {
        method,
        headers: { Authorization: 'Bearer bench', 'Content-Type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      }).then((r) => r.json()),
    stop,
  };
}
