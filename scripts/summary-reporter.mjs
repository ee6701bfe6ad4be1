// A node:test reporter that counts outcomes for the closing "N passed, N failed" line. It counts
// tests (not suites), and also every failure that belongs to a suite or a file itself: a describe
// body that throws, a failing before/after hook, a test file that cannot load. Suites that failed
// only because a test in them failed are not counted twice. The counts go to the file named by
// TEST_SUMMARY_FILE; run-tests.mjs prints the line after reconciling it with the runner's exit code.
import { writeFile } from 'node:fs/promises';

/** Why a suite failed without it being one of its tests' failures. */
function ownFailure(event) {
  return event.data.details?.type !== 'suite' || event.data.details?.error?.failureType !== 'subtestsFailed';
}

export default async function* summary(source) {
  let passed = 0;
  let failed = 0;
  const failures = [];
  for await (const event of source) {
    if (event.type === 'test:pass' && event.data.details?.type !== 'suite' && !event.data.skip && !event.data.todo) passed++;
    if (event.type === 'test:fail' && ownFailure(event)) {
      failed++;
      failures.push(`${event.data.file ?? ''}: ${event.data.name}`);
    }
  }
  const file = process.env.TEST_SUMMARY_FILE;
  if (file) await writeFile(file, JSON.stringify({ passed, failed, failures }));
  else yield `\n${passed} passed, ${failed} failed\n`;
}
