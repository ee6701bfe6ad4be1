import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { when } from './format.js';
import * as live from './live.js';
import type { Node } from './types.js';

/** Origins and edges: health, load against capacity, config state; purge an edge's cache. */
export function NodesPage(props: { admin: boolean }) {
  const [nodes, setNodes] = useState<Node[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const load = () =>
    api<{ items: Node[] }>('GET', '/api/v1/nodes?limit=500')
      .then(({ body }) => setNodes(body.items))
      .catch((e: Error) => setMessage(e.message));
  useEffect(() => {
    void load();
    return live.subscribe((event) => {
      if (event.type === 'config' && event.entity === 'node') void load();
    });
  }, []);

  const purge = async (node: Node) => {
    setMessage(null);
    try {
      const { body } = await api<{ removed: number | null; error?: string }>('POST', `/api/v1/nodes/${encodeURIComponent(node.name)}/purge`, { body: {} });
      setMessage(
        body.removed === null ? `${node.name} could not be reached: ${body.error ?? 'no answer'}` : `${node.name}: ${body.removed} cached objects removed`,
      );
    } catch (e) {
      setMessage((e as Error).message);
    }
  };

  return (
    <main>
      <h1>Nodes</h1>
      {message && (
        <p role="status" class="notice">
          {message}
        </p>
      )}
      {nodes === null ? (
        <p aria-busy="true">Loading...</p>
      ) : nodes.length === 0 ? (
        <p>No nodes registered.</p>
      ) : (
        <table data-testid="nodes-table">
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Role</th>
              <th scope="col">Health</th>
              <th scope="col">Connections / capacity</th>
              <th scope="col">Config</th>
              <th scope="col">Last checked</th>
              {props.admin && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {nodes.map((n) => (
              <tr>
                <td>
                  {n.name}
                  <div class="sub">
                    {n.baseUrl}
                    {n.region ? ` · ${n.region}` : ''}
                    {n.enabled ? '' : ' · disabled'}
                  </div>
                </td>
                <td>{n.role}</td>
                <td>
                  <span class={`state state-${n.status}`}>{n.status}</span>
                </td>
                <td>
                  {n.activeConnections ?? '-'} / {n.capacityMbps ? `${n.capacityMbps} Mbit/s` : '-'}
                </td>
                <td>{n.configError ? <span class="error">{n.configError}</span> : `applied ${when(n.configAppliedAt)}`}</td>
                <td>{when(n.lastCheckedAt)}</td>
                {props.admin && (
                  <td>
                    {n.role === 'edge' && (
                      <button type="button" class="secondary" onClick={() => purge(n)} aria-label={`Purge cache of ${n.name}`}>
                        Purge cache
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
