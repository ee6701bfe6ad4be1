/** One line of the edge's JSON access log (log_format hls_edge_json in nginx/edge-server.conf.template). */
export interface AccessLogEntry {
  time: string;
  edge: string;
  stream: string;
  path: string;
  status: number;
  bytes: number;
  cache: string;
  client: string;
  /** Why the edge refused the request (a token verdict such as "missing"); empty when it did not. */
  denied?: string;
  cmcd: Record<string, string | number | boolean>;
}

export interface ViewerSummary {
  /** Sessions (CMCD sid, else client address) that requested anything within the window. */
  viewers: number;
  windowSeconds: number;
  /** Mean over those sessions of their latest CMCD values; null when no player sent any. */
  requestedBitrateKbps: number | null;
  bufferLengthMs: number | null;
  measuredThroughputKbps: number | null;
  /** Every request logged for the stream since the control plane started, and by which edge. */
  requests: number;
  bytes: number;
  requestsByEdge: Record<string, number>;
}

interface Session {
  lastSeen: number;
  bitrate?: number;
  buffer?: number;
  throughput?: number;
}

/** A bound on tracked sessions per stream, so a flood of fake session ids cannot grow memory without end. */
const MAX_SESSIONS_PER_STREAM = 100_000;

/**
 * Per-stream viewer figures from CMCD in the edge access log: who is watching (sessions seen in
 * the last `windowMs`), at what bitrate (`br`), with how much buffer (`bl`) and throughput (`mtp`).
 */
export class ViewerStats {
  private readonly sessions = new Map<string, Map<string, Session>>();
  private readonly totals = new Map<string, { requests: number; bytes: number; byEdge: Record<string, number> }>();

  constructor(private readonly windowMs: number) {}

  /** `nowMs` bounds the entry's own time (edges' clocks may run ahead). */
  add(entry: AccessLogEntry, nowMs: number): void {
    if (!entry.stream) return;
    const total = this.totals.get(entry.stream) ?? { requests: 0, bytes: 0, byEdge: {} };
    total.requests++;
    total.bytes += entry.bytes || 0;
    total.byEdge[entry.edge] = (total.byEdge[entry.edge] ?? 0) + 1;
    this.totals.set(entry.stream, total);
    if (entry.status >= 400) return;
    const cmcd = entry.cmcd ?? {};
    const id = typeof cmcd.sid === 'string' && cmcd.sid !== '' ? `sid:${cmcd.sid}` : `ip:${entry.client}`;
    const sessions = this.sessions.get(entry.stream) ?? new Map<string, Session>();
    this.sessions.set(entry.stream, sessions);
    if (!sessions.has(id) && sessions.size >= MAX_SESSIONS_PER_STREAM) this.prune(sessions, nowMs);
    if (!sessions.has(id) && sessions.size >= MAX_SESSIONS_PER_STREAM) return;
    const logged = Date.parse(entry.time);
    const seen = Number.isFinite(logged) ? Math.min(logged, nowMs) : nowMs;
    const session = sessions.get(id) ?? { lastSeen: seen };
    session.lastSeen = Math.max(session.lastSeen, seen);
    if (typeof cmcd.br === 'number') session.bitrate = cmcd.br;
    if (typeof cmcd.bl === 'number') session.buffer = cmcd.bl;
    if (typeof cmcd.mtp === 'number') session.throughput = cmcd.mtp;
    sessions.set(id, session);
  }

  streams(): string[] {
    return [...this.totals.keys()];
  }

  summary(stream: string, nowMs: number): ViewerSummary {
    const sessions = this.sessions.get(stream);
    if (sessions) this.prune(sessions, nowMs);
    const active = [...(sessions?.values() ?? [])];
    const total = this.totals.get(stream) ?? { requests: 0, bytes: 0, byEdge: {} };
    return {
      viewers: active.length,
      windowSeconds: this.windowMs / 1000,
      requestedBitrateKbps: mean(active.map((s) => s.bitrate)),
      bufferLengthMs: mean(active.map((s) => s.buffer)),
      measuredThroughputKbps: mean(active.map((s) => s.throughput)),
      requests: total.requests,
      bytes: total.bytes,
      requestsByEdge: { ...total.byEdge },
    };
  }

  private prune(sessions: Map<string, Session>, nowMs: number): void {
    for (const [id, s] of sessions) if (nowMs - s.lastSeen > this.windowMs) sessions.delete(id);
  }
}

function mean(values: (number | undefined)[]): number | null {
  const present = values.filter((v): v is number => v !== undefined);
  return present.length === 0 ? null : Math.round(present.reduce((a, b) => a + b, 0) / present.length);
}

/** One access-log line, or null for anything that is not one of ours (a truncated line, another format). */
export function parseAccessLogLine(line: string): AccessLogEntry | null {
  try {
    const entry = JSON.parse(line) as Omit<AccessLogEntry, 'cmcd'> & { cmcd: unknown };
    if (!entry || typeof entry.stream !== 'string' || typeof entry.status !== 'number') return null;
    return { ...entry, cmcd: cmcdOf(entry.cmcd) };
  } catch {
    return null;
  }
}

/** nginx writes the CMCD njs parsed as a JSON text inside the line; a broken one counts as none. */
function cmcdOf(raw: unknown): AccessLogEntry['cmcd'] {
  if (typeof raw === 'object' && raw !== null) return raw as AccessLogEntry['cmcd'];
  if (typeof raw !== 'string') return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as AccessLogEntry['cmcd']) : {};
  } catch {
    return {};
  }
}
