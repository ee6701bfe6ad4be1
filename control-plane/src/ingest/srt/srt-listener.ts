// A stream's SRT listener: libsrt's reference receiver, srt-live-transmit (Debian's srt-tools),
// as a supervised child. It takes the sender's handshake (refusing a wrong passphrase before any
// media), repairs loss by retransmission within the receive latency, and hands the MPEG-TS to this
// worker over loopback UDP, where it enters the same path as a bare UDP feed. A sender that leaves
// can come back (-a:yes keeps the listener up); a listener that dies is started again after a
// back-off. Its statistics and events become the stream's SRT status (srt-stats.ts).
import { createInterface } from 'node:readline';
import { RestartBackoff } from '../../media/supervision/restart-backoff.js';
import { SupervisedChild } from '../../media/supervision/supervised-child.js';
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

/** srt-live-transmit's arguments: an encrypted listener on the port, MPEG-TS out to loopback. */
export function srtListenerArgs(o: Pick<SrtListenerOptions, 'port' | 'passphrase' | 'latencyMs' | 'deliverToPort'>): string[] {
  // The passphrase is validated (no '&', '=', '?', '#', '%' or spaces) before it gets here.
  const source = `srt://:${o.port}?mode=listener&passphrase=${o.passphrase}&latency=${o.latencyMs}&enforcedencryption=true`;
  return [source, `udp://127.0.0.1:${o.deliverToPort}`, '-a:yes', `-s:${STATS_EVERY_PACKETS}`, '-pf:json'];
}

export class SrtListener {
  readonly status: SrtStatus = newSrtStatus();
  private readonly child: SupervisedChild;

  constructor(private readonly options: SrtListenerOptions) {
    this.child = new SupervisedChild({
      command: options.binary ?? 'srt-live-transmit',
      args: srtListenerArgs(options),
      installHint: 'apt-get install srt-tools',
      backoff: new RestartBackoff(options.backoffMs),
      onSpawn: (child) => {
        this.status.state = 'starting';
        createInterface({ input: child.stdout! }).on('line', (line) => addStatsLine(this.status, line));
        createInterface({ input: child.stderr! }).on('line', (line) => {
          const event = addLogLine(this.status, line);
          if (event) this.options.onEvent?.(event);
        });
      },
      onDied: (reason) => {
        this.status.lastError = reason;
        this.status.state = 'restarting';
      },
    });
  }

  start(): void {
    this.child.start();
  }

  /** The running listener's process id (tests kill it to check the supervision). */
  get pid(): number | null {
    return this.child.pid;
  }

  /** A copy of the status with the restarts counted so far. */
  snapshot(): SrtStatus {
    return { ...this.status, restarts: this.child.restarts };
  }

  async stop(): Promise<void> {
    this.status.state = 'stopped';
    await this.child.stop();
  }
}
