// Runs the whole suite with node's test runner against one real PostgreSQL cluster started for
// the run (each test file makes its own database in it), and always stops that cluster.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

async function testFiles(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.test.js'))
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
    .sort();
}

export async function runTests(root, only) {
  const dist = path.join(root, 'dist', 'test');
  const files = only.length ? only.map((f) => path.resolve(f)) : await testFiles(dist);
  const { startEmbeddedPostgres } = await import(pathToFileURL(path.join(root, 'dist', 'control-plane', 'src', 'database', 'embedded-postgres.js')).href);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hls-test-suite-'));
  await chmod(dataDir, 0o755); // as root, PostgreSQL runs as "postgres" and must enter it
  const database = await startEmbeddedPostgres(dataDir, { log: (m) => console.log(`[test-db] ${m}`), warn: (m) => console.error(`[test-db] ${m}`) });
  try {
    return await new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        [
          '--test',
          '--test-reporter=spec',
          '--test-reporter-destination=stdout',
          `--test-reporter=${pathToFileURL(path.join(root, 'scripts', 'summary-reporter.mjs')).href}`,
          '--test-reporter-destination=stdout',
          ...files,
        ],
        { cwd: root, stdio: 'inherit', env: { ...process.env, TEST_DATABASE_URL: database.url } },
      );
      const forward = (signal) => child.kill(signal);
      process.on('SIGINT', forward);
      process.on('SIGTERM', forward);
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    await database.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
