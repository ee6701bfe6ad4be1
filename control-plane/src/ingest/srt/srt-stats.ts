// What srt-live-transmit (libsrt's reference receiver) tells about an SRT feed, turned into the
// stream's SRT status: its JSON statistics (-pf:json, one object per line on stdout, each covering
// the packets since the one before) are summed; its log lines on stderr say when a sender connects,
// leaves or is refused. Pure: fed text, holds counters; tested against lines libsrt 1.5 prints.

export type SrtListenerState = 'starting' | 'listening' | 'connected' | 'restarting' | 'stopped';

export interface SrtStatus {
  /** listening: waiting for a sender; connected: one is sending; restarting: the listener died and is started again. */
  state: SrtListenerState;
  /** Senders accepted (a reconnect counts again). */
  connections: number;
  /** Handshakes refused (a wrong passphrase, an unencrypted sender), and the last reason given. */
  rejected: number;
  lastRejection: string | null;
  /** Round trip to the sender, as libsrt smooths it; null before the first report. */
  rttMs: number | null;
  /** Receive latency in force (TSBPD delay, the larger of both sides' settings). */
  latencyMs: number | null;
  /** Media held in the receive buffer, ms. */
  receiveBufferMs: number | null;
  /** Receive rate at the last report, Mbit/s. */
  mbitRate: number | null;
  packetsReceived: number;
  /** Packets found missing (each then asked for again). */
  packetsLost: number;
  /** Retransmitted packets that arrived. */
  packetsRetransmitted: number;
  /** Packets given up on: not there by their play time (unrecoverable). */
  packetsDropped: number;
  /** Packets that arrived after their play time. */
  packetsBelated: number;
  /** srt-live-transmit ended without being asked to, and was started again. */
  restarts: number;
  lastError: string | null;
}

/** One line of `-pf:json` statistics, as far as it is used here. */
interface StatsLine {
  link?: { rtt?: number };
  recv?: {
    packets?: number;
    packetsLost?: number;
    packetsRetransmitted?: number;
    packetsDropped?: number;
    packetsBelated?: number;
    msBuf?: number;
    mbitRate?: number;
    msTsbPdDelay?: number;
  };
}

export function newSrtStatus(): SrtStatus {
  return {
    state: 'starting',
    connections: 0,
    rejected: 0,
    lastRejection: null,
    rttMs: null,
    latencyMs: null,
    receiveBufferMs: null,
    mbitRate: null,
    packetsReceived: 0,
    packetsLost: 0,
    packetsRetransmitted: 0,
    packetsDropped: 0,
    packetsBelated: 0,
    restarts: 0,
    lastError: null,
  };
}

const count = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0);
const figure = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? n : null);

/** Adds one line of statistics; anything that is not one is ignored (false). */
export function addStatsLine(status: SrtStatus, line: string): boolean {
  if (!line.startsWith('{')) return false;
  let stats: StatsLine;
  try {
    stats = JSON.parse(line) as StatsLine;
  } catch {
    return false;
  }
  const recv = stats.recv;
  if (!recv || typeof recv !== 'object') return false;
  status.packetsReceived += count(recv.packets);
  status.packetsLost += count(recv.packetsLost);
  status.packetsRetransmitted += count(recv.packetsRetransmitted);
  status.packetsDropped += count(recv.packetsDropped);
  status.packetsBelated += count(recv.packetsBelated);
  status.rttMs = figure(stats.link?.rtt) ?? status.rttMs;
  status.receiveBufferMs = figure(recv.msBuf) ?? status.receiveBufferMs;
  status.mbitRate = figure(recv.mbitRate) ?? status.mbitRate;
  status.latencyMs = figure(recv.msTsbPdDelay) ?? status.latencyMs;
  return true;
}

/** What a stderr line meant for the listener, for the caller to log; null for anything else. */
export type SrtEvent = { kind: 'listening' } | { kind: 'connected' } | { kind: 'disconnected' } | { kind: 'rejected'; reason: string };

/** Applies one stderr line of srt-live-transmit (its own messages and libsrt's warnings). */
export function addLogLine(status: SrtStatus, line: string): SrtEvent | null {
  if (line.startsWith('Media path:')) {
    status.state = 'listening';
    return { kind: 'listening' };
  }
  if (line.includes('Accepted SRT source connection')) {
    status.state = 'connected';
    status.connections++;
    return { kind: 'connected' };
  }
  if (line.includes('SRT source disconnected')) {
    status.state = 'listening';
    return { kind: 'disconnected' };
  }
  // libsrt: "processConnectRequest: rsp(REJECT): 1010 - Incorrect passphrase", once per refusal.
  const reject = /rsp\(REJECT\): \d+ - (.+)$/.exec(line);
  if (reject) {
    status.rejected++;
    status.lastRejection = reject[1].trim();
    return { kind: 'rejected', reason: status.lastRejection };
  }
  return null;
}
