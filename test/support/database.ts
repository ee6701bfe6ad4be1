import { chmod, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import pg from 'pg';
import { RunningDatabase, startEmbeddedPostgres } from '../../control-plane/src/database/embedded-postgres.js';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

const quiet = { log: () => undefined, warn: (m: string) => console.error(m) };

/**
 * A fresh, empty database on a real PostgreSQL. The test runner starts one embedded cluster for
 * the whole suite and passes TEST_DATABASE_URL; a test file run on its own starts its own cluster.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL ?? (await ownCluster());
  const name = `t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

let cluster: Promise<RunningDatabase> | null = null;

async function ownCluster(): Promise<string> {
  cluster ??= (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hls-test-pg-'));
    await chmod(dir, 0o755); // as root, PostgreSQL runs as "postgres" and must enter it
    return startEmbeddedPostgres(dir, quiet);
  })();
  return (await cluster).url;
}

/** Stops the cluster this process started, if any (a bench must: node:test's after hook never runs there). */
export async function stopOwnCluster(): Promise<void> {
  const running = cluster;
  cluster = null;
  if (running) await (await running).stop();
}

/**
 * In a test file: registered at import time, so it runs once after every test of the file that
 * imported us. Not in a benchmark, which stops the cluster itself: a hook registered outside a
 * test run makes node:test print an empty TAP report after the benchmark's summary line.
 */
const inTestRun = process.env.NODE_TEST_CONTEXT !== undefined || /\.test\.js$/.test(process.argv[1] ?? '');
if (inTestRun) after(stopOwnCluster);
