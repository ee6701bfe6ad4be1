import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from './api.js';
import { Sparkline } from './charts.js';
import { bitrate, ms } from './format.js';
import * as live from './live.js';
import type { Sample, Stream } from './types.js';

type SortKey = 'key' | 'state' | 'inputBitrate' | 'lost' | 'unrecoverable' | 'jitterMs' | 'viewers';
const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'key', label: 'Stream' },
  { key: 'state', label: 'State' },
  { key: 'inputBitrate', label: 'Input' },
  { key: 'lost', label: 'Lost / recovered' },
  { key: 'unrecoverable', label: 'Unrecoverable' },
  { key: 'jitterMs', label: 'Jitter' },
  { key: 'viewers', label: 'Viewers' },
];

/** Every stream with its live figures; filter by text, sort by any column. */
export function StreamsPage(props: { admin: boolean }) {
  const [streams, setStreams] = useState<Stream[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'key', descending: false });
  const [tick, setTick] = useState(0);

  const load = () =>
    api<{ items: Stream[] }>('GET', '/api/v1/streams?limit=500')
      .then(({ body }) => {
        setStreams(body.items);
        for (const s of body.items)
          if (s.enabled)
            void live.loadHistory(s.key).then(
              () => setTick((t) => t + 1),
              () => undefined,
            );
      })
      .catch((e: Error) => setError(e.message));

  useEffect(() => {
    void load();
    return live.subscribe((event) => {
      if (event.type === 'status') setTick((t) => t + 1);
      else if (event.type === 'config' && event.entity === 'stream') void load();
    });
  }, []);

  const latest = (s: Stream): Sample | undefined => live.samplesOf(s.key).at(-1);
  const rows = useMemo(() => {
    const text = filter.trim().toLowerCase();
    const list = (streams ?? []).filter((s) => !text || s.key.includes(text) || s.name.toLowerCase().includes(text) || s.ingest.protocol === text);
    const value = (s: Stream): string | number => {
      if (sort.key === 'key') return s.key;
      const l = latest(s);
      if (sort.key === 'state') return s.enabled ? (l?.state ?? 'idle') : 'disabled';
      return l ? (l[sort.key] ?? -1) : -1;
    };
    return list.sort((a, b) => {
      const x = value(a);
      const y = value(b);
      const order = x < y ? -1 : x > y ? 1 : 0;
      return sort.descending ? -order : order;
    });
  }, [streams, filter, sort, tick]);

  return (
    <main>
      <div class="page-head">
        <h1>Streams</h1>
        {props.admin && (
          <a class="button" href="#/streams/new">
            New stream
          </a>
        )}
      </div>
      <label for="filter">Filter</label>
      <input id="filter" type="search" placeholder="key, name or protocol" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {streams === null ? (
        <p aria-busy="true">Loading...</p>
      ) : streams.length === 0 ? (
        <p>No streams yet.{props.admin ? ' Create one with "New stream".' : ''}</p>
      ) : (
        <table class="streams" data-testid="streams-table">
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th scope="col" aria-sort={sort.key === c.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
                  <button type="button" class="sort" onClick={() => setSort({ key: c.key, descending: sort.key === c.key ? !sort.descending : false })}>
                    {c.label}
                  </button>
                </th>
              ))}
              <th scope="col">Last 10 minutes</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => {
              const l = latest(s);
              return (
                <tr data-stream={s.key}>
                  <td>
                    <a href={`#/streams/${encodeURIComponent(s.key)}`}>{s.key}</a>
                    <div class="sub">
                      {s.name} · {s.ingest.protocol.toUpperCase()}
                      {s.ingest.port !== null ? ` :${s.ingest.port}` : ''}
                    </div>
                  </td>
                  <td data-label="State">
                    <span class={`state state-${s.enabled ? (l?.state ?? 'idle') : 'disabled'}`}>{s.enabled ? (l?.state ?? 'idle') : 'disabled'}</span>
                  </td>
                  <td data-label="Input">{l ? bitrate(l.inputBitrate) : '-'}</td>
                  <td data-label="Lost / recovered">{l ? `${l.lost} / ${l.recoveredByFec}` : '-'}</td>
                  <td data-label="Unrecoverable">{l ? l.unrecoverable : '-'}</td>
                  <td data-label="Jitter">{l ? ms(l.jitterMs) : '-'}</td>
                  <td data-label="Viewers">{l?.viewers ?? '-'}</td>
                  <td>
                    <Sparkline
                      samples={live.samplesOf(s.key)}
                      label={`input bitrate of ${s.key} over the last minutes${l ? `, now ${bitrate(l.inputBitrate)}` : ''}`}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </main>
  );
}
