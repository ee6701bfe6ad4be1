// A stream's SRT listener: libsrt's reference receiver, srt-live-transmit (Debian's srt-tools),
// as a supervised child. It takes the sender's handshake (refusing a wrong passphrase before any
// media), repairs loss by retransmission within the receive latency, and hands the MPEG-TS to this
// worker over loopback UDP, where it enters the same path as a bare UDP feed. A sender that leaves
// can come back (-a:yes keeps the listener up); a listener that dies is started again after a
// back-off. Its statistics and events become the stream's SRT status (srt-stats.ts).
import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { RestartBackoff, terminateChild } from '../../media/supervision/restart-backoff.js';
import { addLogLine, addStatsLine, newSrtStatus, type SrtEvent, type SrtStatus } from './srt-stats.js';

export interface SrtListenerOptions {
  /** The stream's UDP port, where senders call. */
  port: number;
  passphrase: string;
  latencyMs: number;
  /** Where srt-live-transmit sends the MPEG-TS it receives (this worker's loopback socket). */
  deliverToPort: number;
  onEvent?: (event: SrtEvent) => void;
  binary?: string;
  backoffMs?: number;
}

/** A statistics line every this many received packets (about 2 s of a 1.5 Mbit/s feed). */
const STATS_EVERY_PACKETS = 250;
const STDERR_TAIL = 1000;

/** srt-live-transmit's arguments: an encrypted listener on the port, MPEG-TS out to loopback. */
export function srtListenerArgs(o: Pick<SrtListenerOptions, 'port' | 'passphrase' | 'latencyMs' | 'deliverToPort'>): string[] {
  // The passphrase is validated (no '&', '=', '?', '#', '%' or spaces) before it gets here.
  const source = `srt://:${o.port}?mode=listener&passphrase=${o.passphrase}&latency=${o.latencyMs}&enforcedencryption=true`;
  return [source, `udp://127.0.0.1:${o.deliverToPort}`, '-a:yes', `-s:${STATS_EVERY_PACKETS}`, '-pf:json'];
}

export class SrtListener {
  readonly status: SrtStatus = newSrtStatus();
  private child: ChildProcess | null = null;
  private stopping = false;
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private stderrTail = '';
  private readonly backoff: RestartBackoff;

  constructor(private readonly options: SrtListenerOptions) {
    this.backoff = new RestartBackoff(options.backoffMs);
  }

  start(): void {
    this.stopping = false;
    this.spawn();
  }

  /** The running listener's process id (tests kill it to check the supervision). */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.status.state = 'stopped';
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    this.child = null;
    await terminateChild(child);
  }

  private spawn(): void {
    const child = spawn(this.options.binary ?? 'srt-live-transmit', srtListenerArgs(this.options), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.startedAt = Date.now();
    this.stderrTail = '';
    this.status.state = 'starting';
    createInterface({ input: child.stdout! }).on('line', (line) => addStatsLine(this.status, line));
    createInterface({ input: child.stderr! }).on('line', (line) => {
      this.stderrTail = `${this.stderrTail}${line}\n`.slice(-STDERR_TAIL);
      const event = addLogLine(this.status, line);
      if (event) this.options.onEvent?.(event);
    });
    child.once('error', (error) => this.onExit(child, `cannot run srt-live-transmit (apt-get install srt-tools): ${error.message}`));
    child.once('exit', (code, signal) => this.onExit(child, `srt-live-transmit exited (${signal ?? code}): ${this.lastLine()}`));
  }

  private lastLine(): string {
    return this.stderrTail.trim().split('\n').slice(-2).join(' | ');
  }

  private onExit(child: ChildProcess, reason: string): void {
    if (this.stopping || this.child !== child) return;
    this.child = null;
    this.status.lastError = reason;
    this.status.state = 'restarting';
    const delay = this.backoff.next(Date.now() - this.startedAt);
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.status.restarts++;
      this.spawn();
    }, delay);
  }
}
