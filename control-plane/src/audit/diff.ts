/** What changed between two JSON-shaped objects, as dotted paths: `{ 'ingest.port': { from, to } }`. */
export function diffObjects(before: object, after: object, prefix = ''): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of keys) {
    const from = (before as Record<string, unknown>)[key];
    const to = (after as Record<string, unknown>)[key];
    const path = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(from) && isPlainObject(to)) {
      Object.assign(changes, diffObjects(from, to, path));
    } else if (JSON.stringify(from) !== JSON.stringify(to)) {
      changes[path] = { from: from ?? null, to: to ?? null };
    }
  }
  return changes;
}

function isPlainObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
