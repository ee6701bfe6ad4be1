import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { when } from './format.js';
import * as live from './live.js';
import type { Node, Stream } from './types.js';

/** The steering order is read again at most this often while node events arrive. */
const STEERING_REFRESH_MS = 5000;

/** Each stream's Content Steering answer (what players are told now): pathway names, first preferred. */
async function steeringOrders(): Promise<{ key: string; order: string[] | null }[]> {
  const { body } = await api<{ items: Stream[] }>('GET', '/api/v1/streams?limit=500');
  return Promise.all(
    body.items
      .filter((s) => s.enabled)
      .map(async (s) => {
        try {
          const res = await fetch(`/steering/${encodeURIComponent(s.key)}.json`);
          const manifest = (await res.json()) as { 'PATHWAY-PRIORITY'?: string[] };
          return { key: s.key, order: res.ok ? (manifest['PATHWAY-PRIORITY'] ?? null) : null };
        } catch {
          return { key: s.key, order: null };
        }
      }),
  );
}

/** Origins and edges: health, load against capacity, config state; purge an edge's cache. */
export function NodesPage(props: { admin: boolean }) {
  const [nodes, setNodes] = useState<Node[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [steering, setSteering] = useState<{ key: string; order: string[] | null }[] | null>(null);

  const load = () =>
    api<{ items: Node[] }>('GET', '/api/v1/nodes?limit=500')
      .then(({ body }) => setNodes(body.items))
      .catch((e: Error) => setMessage(e.message));
  useEffect(() => {
    void load();
    let steeringAt = 0;
    const loadSteering = () => {
      steeringAt = Date.now();
      steeringOrders().then(setSteering, () => setSteering([]));
    };
    loadSteering();
    return live.subscribe((event) => {
      if (event.type === 'config' && event.entity === 'node') void load();
      if (event.type === 'node') {
        // Health as it is probed, without asking the API again.
        setNodes(
          (list) =>
            list?.map((n) =>
              n.id === event.id
                ? { ...n, status: event.status, activeConnections: event.activeConnections, lastCheckedAt: new Date(event.t).toISOString() }
                : n,
            ) ?? list,
        );
        if (Date.now() - steeringAt > STEERING_REFRESH_MS) loadSteering();
      }
      if (event.type === 'config' && (event.entity === 'node' || event.entity === 'stream')) loadSteering();
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
      <h2>Content Steering: where players are sent, first choice first</h2>
      {steering === null ? (
        <p aria-busy="true">Loading...</p>
      ) : steering.length === 0 ? (
        <p>No enabled streams.</p>
      ) : (
        <table data-testid="steering-table">
          <thead>
            <tr>
              <th scope="col">Stream</th>
              <th scope="col">Pathway priority (from /steering/&lt;key&gt;.json)</th>
            </tr>
          </thead>
          <tbody>
            {steering.map((s) => (
              <tr>
                <td>
                  <a href={`#/streams/${encodeURIComponent(s.key)}`}>{s.key}</a>
                </td>
                <td>{s.order ? (s.order.length ? s.order.join(' > ') : 'no pathway') : 'not available'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
