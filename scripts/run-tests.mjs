// Runs the whole suite with node's test runner against one real PostgreSQL cluster started for
// the run (each test file makes its own database in it), and always stops that cluster.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
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
  const summaryFile = path.join(dataDir, 'summary.json');
  let code = 1;
  let counts = null;
  await chmod(dataDir, 0o755); // as root, PostgreSQL runs as "postgres" and must enter it
  const database = await startEmbeddedPostgres(dataDir, { log: (m) => console.log(`[test-db] ${m}`), warn: (m) => console.error(`[test-db] ${m}`) });
  try {
    code = await new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        [
          '--test',
          // A hang fails its test instead of stalling CI; slow cases set their own, shorter, bounds.
          `--test-timeout=${TEST_TIMEOUT_MS}`,
          '--test-reporter=spec',
          '--test-reporter-destination=stdout',
          `--test-reporter=${pathToFileURL(path.join(root, 'scripts', 'summary-reporter.mjs')).href}`,
          '--test-reporter-destination=stdout',
          ...files,
        ],
        { cwd: root, stdio: 'inherit', env: { ...process.env, TEST_DATABASE_URL: database.url, TEST_SUMMARY_FILE: summaryFile } },
      );
      const forward = (signal) => child.kill(signal);
      process.on('SIGINT', forward);
      process.on('SIGTERM', forward);
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
    counts = await readFile(summaryFile, 'utf8').then(JSON.parse, () => null);
  } finally {
    await database.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  // Last, after the database's own log lines: CI reads the final line.
  console.log(`\n${closingLine(counts, code)}`);
  return counts && counts.failed > 0 ? code || 1 : code;
}

/** Longest any one test may run. */
const TEST_TIMEOUT_MS = 10 * 60_000;

/**
 * "N passed, N failed", never contradicting the exit code: a run that failed without a counted
 * failure (the runner crashed, a reporter died, a process exit) counts as one failure, said why.
 */
export function closingLine(counts, code) {
  if (!counts) return `0 passed, 1 failed (the test runner exited with code ${code} before reporting)`;
  const lines = counts.failures.map((f) => `  failed: ${f}`);
  if (code !== 0 && counts.failed === 0) return `${counts.passed} passed, 1 failed (the test runner exited with code ${code} without a failing test)`;
  return [...lines, `${counts.passed} passed, ${counts.failed} failed`].join('\n');
}
