// A stream's SRT listener: libsrt's reference receiver, srt-live-transmit (Debian's srt-tools),
// as a supervised child. It takes the sender's handshake (refusing a wrong passphrase before any
// media), repairs loss by retransmission within the receive latency, and hands the MPEG-TS to this
// worker on its stdout: a pipe, read in large chunks (a loopback UDP hop cost the worker an event
// per 1316-byte datagram), with nothing lost between the two. Its statistics, which then cannot go
// to stdout, come through a FIFO. A sender that leaves can come back (-a:yes keeps the listener
// up); a listener that dies is started again after a back-off. Its statistics and events become
// the stream's SRT status (srt-stats.ts).
import { createInterface } from 'node:readline';
import { LineFifo } from '../../media/supervision/line-fifo.js';
import { RestartBackoff } from '../../media/supervision/restart-backoff.js';
import { SupervisedChild } from '../../media/supervision/supervised-child.js';
import { addLogLine, addStatsLine, newSrtStatus, type SrtEvent, type SrtStatus } from './srt-stats.js';

export interface SrtListenerOptions {
  /** The stream's UDP port, where senders call. */
  port: number;
  passphrase: string;
  latencyMs: number;
  /** The MPEG-TS received, as srt-live-transmit writes it (4 KiB chunks, not packet-aligned). */
  onData: (chunk: Buffer) => void;
  /** The listener died and is being started again (a partial TS packet may have been cut off). */
  onRestart?: () => void;
  onEvent?: (event: SrtEvent) => void;
  binary?: string;
  backoffMs?: number;
}

/** A statistics line every this many received packets (about 2 s of a 1.5 Mbit/s feed). */
const STATS_EVERY_PACKETS = 250;

/** srt-live-transmit's arguments: an encrypted listener on the port, MPEG-TS to stdout, statistics to a file. */
export function srtListenerArgs(o: Pick<SrtListenerOptions, 'port' | 'passphrase' | 'latencyMs'>, statsPath: string): string[] {
  // The passphrase is validated (no '&', '=', '?', '#', '%' or spaces) before it gets here.
  const source = `srt://:${o.port}?mode=listener&passphrase=${o.passphrase}&latency=${o.latencyMs}&enforcedencryption=true`;
  return [source, 'file://con', '-a:yes', `-s:${STATS_EVERY_PACKETS}`, '-pf:json', `-statsout:${statsPath}`];
}

export class SrtListener {
  readonly status: SrtStatus = newSrtStatus();
  private readonly child: SupervisedChild;
  /** Where srt-live-transmit writes its statistics; removed on stop. */
  private readonly stats: LineFifo;

  constructor(private readonly options: SrtListenerOptions) {
    this.stats = new LineFifo('hls-srt-stats', (line) => addStatsLine(this.status, line));
    this.child = new SupervisedChild({
      command: options.binary ?? 'srt-live-transmit',
      args: srtListenerArgs(options, this.stats.path),
      installHint: 'apt-get install srt-tools',
      backoff: new RestartBackoff(options.backoffMs),
      onSpawn: (child) => {
        this.status.state = 'starting';
        child.stdout!.on('data', (chunk: Buffer) => this.child.pid === child.pid && options.onData(chunk));
        createInterface({ input: child.stderr! }).on('line', (line) => {
          const event = addLogLine(this.status, line);
          if (event) this.options.onEvent?.(event);
        });
      },
      onDied: (reason) => {
        this.status.lastError = reason;
        this.status.state = 'restarting';
        this.options.onRestart?.();
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
    this.stats.close();
  }
}
