import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { when } from './format.js';
import * as live from './live.js';
import type { AuditEntry } from './types.js';

/** Who changed what, newest first, with the change itself. */
export function AuditPage() {
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    api<{ items: AuditEntry[] }>('GET', '/api/v1/audit?limit=100')
      .then(({ body }) => setEntries(body.items))
      .catch((e: Error) => setError(e.message));
  useEffect(() => {
    void load();
    return live.subscribe((event) => {
      if (event.type === 'config') void load();
    });
  }, []);

  return (
    <main>
      <h1>Audit log</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {entries === null ? (
        <p aria-busy="true">Loading...</p>
      ) : (
        <table data-testid="audit-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr>
                <td>{when(e.at)}</td>
                <td>{e.actor}</td>
                <td>
                  {e.action} {e.entityType}
                  <div class="sub">{e.entityId}</div>
                </td>
                <td>
                  <pre class="diff">{JSON.stringify(e.diff, null, 1)}</pre>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
