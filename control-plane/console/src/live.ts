// One Server-Sent Events connection for the whole console (GET /api/v1/events), read with fetch()
// because EventSource cannot send the Authorization header. Widgets subscribe here instead of
// polling; the connection comes back by itself after a drop, and each stream's recent samples are
// kept (seeded from its history) so a page opened later starts with ten minutes of chart.
import type { LiveEvent } from '../../src/telemetry/live-event.js';
import { api, storedKey } from './api.js';
import type { Sample } from './types.js';

export type { LiveEvent };

type Listener = (event: LiveEvent) => void;

/** Ten minutes at a sample a second, as the server keeps. */
const KEEP_SAMPLES = 600;
const RECONNECT_MS = 2000;

const listeners = new Set<Listener>();
const samplesByKey = new Map<string, Sample[]>();
/** Streams whose history is loaded and kept current by events since (forgotten when events drop). */
const seeded = new Set<string>();
let running: AbortController | null = null;
let connected = false;
const connectionListeners = new Set<(up: boolean) => void>();

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function onConnection(listener: (up: boolean) => void): () => void {
  connectionListeners.add(listener);
  listener(connected);
  return () => connectionListeners.delete(listener);
}

/** The samples kept for a stream (newest last); empty until its history or events arrive. */
export function samplesOf(key: string): Sample[] {
  return samplesByKey.get(key) ?? [];
}

/**
 * Loads a stream's history (GET /history) under what events have brought since; once loaded, the
 * events keep it current, so later calls (each list reload, each page visit) ask nothing.
 */
export async function loadHistory(key: string): Promise<Sample[]> {
  if (seeded.has(key)) return samplesOf(key);
  const { body } = await api<{ samples: Sample[] }>('GET', `/api/v1/streams/${encodeURIComponent(key)}/history`);
  const live = samplesByKey.get(key) ?? [];
  const firstLive = live.length ? live[0].t : Infinity;
  const merged = [...body.samples.filter((s) => s.t < firstLive), ...live].slice(-KEEP_SAMPLES);
  samplesByKey.set(key, merged);
  if (connected) seeded.add(key);
  return merged;
}

export function start(): void {
  if (running) return;
  running = new AbortController();
  void connect(running.signal);
}

export function stop(): void {
  running?.abort();
  running = null;
  samplesByKey.clear();
  setConnected(false);
}

function setConnected(up: boolean): void {
  if (up === connected) return;
  connected = up;
  // Events missed while the stream was down leave gaps only history can fill.
  if (!up) seeded.clear();
  for (const l of connectionListeners) l(up);
}

async function connect(signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      const res = await fetch('/api/v1/events', { headers: { Authorization: `Bearer ${storedKey() ?? ''}` }, signal });
      if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
      setConnected(true);
      await readStream(res.body, signal);
    } catch {
      // dropped or refused: say so and try again shortly
    }
    setConnected(false);
    if (!signal.aborted) await new Promise((r) => setTimeout(r, RECONNECT_MS));
  }
}

async function readStream(body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!signal.aborted) {
    const { done, value } = await reader.read();
    if (done) return;
    text += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = text.indexOf('\n\n')) >= 0) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n');
      if (data) dispatch(JSON.parse(data) as LiveEvent);
    }
  }
}

function dispatch(event: LiveEvent): void {
  if (event.type === 'status') {
    const list = samplesByKey.get(event.key) ?? [];
    list.push(event.sample);
    if (list.length > KEEP_SAMPLES) list.splice(0, list.length - KEEP_SAMPLES);
    samplesByKey.set(event.key, list);
  } else if (event.type === 'config' && event.entity === 'stream' && event.op === 'deleted') {
    samplesByKey.delete(event.ref);
    seeded.delete(event.ref);
  }
  for (const l of listeners) l(event);
}
