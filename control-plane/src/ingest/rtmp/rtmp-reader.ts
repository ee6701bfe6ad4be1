// Reads a published RTMP stream back from the front over loopback and hands it on as MPEG-TS,
// without re-encoding: ffmpeg's RTMP client and FLV demuxer, `-c copy`, MPEG-TS to a pipe (no loss
// between it and the ingest, unlike a UDP hop). Runs only while a publisher is in; a reader that
// dies meanwhile is started again after a back-off.
import { ChildProcess, spawn } from 'node:child_process';
import { RestartBackoff, terminateChild } from '../../media/supervision/restart-backoff.js';

export interface RtmpReaderOptions {
  /** rtmp://127.0.0.1:<port>/live/<key> */
  url: string;
  onData: (chunk: Buffer) => void;
  /** The reader stopped on its own (null while it is being started again). */
  onExit: (reason: string) => void;
  binary?: string;
  backoffMs?: number;
}

const STDERR_TAIL = 1000;

export function rtmpReaderArgs(url: string): string[] {
  return [
    ...['-nostdin', '-hide_banner', '-loglevel', 'error'],
    // FLV announces its tracks (onMetaData, the AVC and AAC headers) up front: no long probe needed.
    ...['-fflags', '+nobuffer', '-analyzeduration', '1000000', '-i', url],
    ...['-map', '0:v?', '-map', '0:a?', '-c', 'copy', '-f', 'mpegts', 'pipe:1'],
  ];
}

export class RtmpReader {
  restarts = 0;
  private child: ChildProcess | null = null;
  private stopping = false;
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private stderrTail = '';
  private readonly backoff: RestartBackoff;

  constructor(private readonly options: RtmpReaderOptions) {
    this.backoff = new RestartBackoff(options.backoffMs ?? 500, 5000);
  }

  get running(): boolean {
    return this.child !== null;
  }

  start(): void {
    this.stopping = false;
    if (!this.child && !this.restartTimer) this.spawn();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    this.child = null;
    await terminateChild(child);
  }

  private spawn(): void {
    this.restartTimer = null;
    const child = spawn(this.options.binary ?? 'ffmpeg', rtmpReaderArgs(this.options.url), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.startedAt = Date.now();
    this.stderrTail = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      if (this.child === child) this.options.onData(chunk);
    });
    child.stderr!.on('data', (d: Buffer) => (this.stderrTail = `${this.stderrTail}${d}`.slice(-STDERR_TAIL)));
    child.once('error', (error) => this.onExit(child, `cannot run ffmpeg (apt-get install ffmpeg): ${error.message}`));
    child.once('exit', (code, signal) =>
      this.onExit(child, `the RTMP reader (ffmpeg) exited (${signal ?? code}): ${this.stderrTail.trim().split('\n').slice(-2).join(' | ')}`),
    );
  }

  private onExit(child: ChildProcess, reason: string): void {
    if (this.stopping || this.child !== child) return;
    this.child = null;
    this.options.onExit(reason);
    this.restartTimer = setTimeout(
      () => {
        if (this.stopping) return;
        this.restarts++;
        this.spawn();
      },
      this.backoff.next(Date.now() - this.startedAt),
    );
  }
}
