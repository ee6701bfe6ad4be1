// A node:test reporter that prints one closing line, "N passed, N failed", counting tests (not
// suites), so CI and humans read the outcome the same way.
export default async function* summary(source) {
  let passed = 0;
  let failed = 0;
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (event.data.details?.type === 'suite') continue;
    if (event.type === 'test:pass' && !event.data.skip && !event.data.todo) passed++;
    if (event.type === 'test:fail') failed++;
  }
  yield `\n${passed} passed, ${failed} failed\n`;
}
