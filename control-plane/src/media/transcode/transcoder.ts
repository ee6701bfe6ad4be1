// One ffmpeg per stream making its ABR rungs from the repaired MPEG-TS, supervised: restarted with
// back-off when it dies, its state, restarts, speed and dropped input kept for the stream's status.
// Free of NestJS, like the rest of media/: it runs in the stream's ingest worker.
import { ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { FIRST_RUNG_FD, TranscodeRung, transcoderArgs } from './ladder-args.js';
import { processCpuSeconds } from './process-cpu.js';
import { RestartBackoff, terminateChild } from '../supervision/restart-backoff.js';

export type TranscoderState = 'starting' | 'running' | 'restarting' | 'stopped';

export interface TranscoderStatus {
  state: TranscoderState;
  /** Times ffmpeg ended without being asked to, and was started again. */
  restarts: number;
  /** ffmpeg's own speed: 1 is real time; below 1 it falls behind (then input is dropped, below). */
  speed: number | null;
  /** Input bytes not handed to ffmpeg because it had not taken the earlier ones (it is too slow). */
  droppedBytes: number;
  /** CPU cores ffmpeg keeps busy (1: one core fully), over the last few seconds; null before a sample. */
  cpuCores: number | null;
  lastError: string | null;
}

export interface TranscoderOptions {
  rungs: TranscodeRung[];
  /** A rung's MPEG-TS output, as it comes (not packet-aligned). */
  onRungData: (rung: number, bytes: Buffer) => void;
  /** ffmpeg started again after dying: the rungs' next bytes start a new timeline. */
  onRestart?: () => void;
  binary?: string;
  /** Input held for ffmpeg before more is dropped (bytes); about two seconds of a 10 Mbit/s feed. */
  maxBufferedBytes?: number;
  /** First restart delay; doubles per quick failure up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/** CPU use is sampled at most this often (ffmpeg's progress reports come twice a second). */
const CPU_SAMPLE_MS = 2000;
const STDERR_TAIL = 2000;

export class Transcoder {
  private child: ChildProcess | null = null;
  private stopping = false;
  private readonly backoff: RestartBackoff;
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private stderrTail = '';
  private cpuSample: { atMs: number; cpuSeconds: number } | null = null;
  readonly status: TranscoderStatus = { state: 'starting', restarts: 0, speed: null, droppedBytes: 0, cpuCores: null, lastError: null };

  constructor(private readonly options: TranscoderOptions) {
    this.backoff = new RestartBackoff(options.backoffMs, options.maxBackoffMs);
  }

  start(): void {
    this.stopping = false;
    this.spawn();
  }

  /** Hands ffmpeg the next TS bytes; drops them (counted) while it has not taken the earlier ones. */
  write(bytes: Uint8Array): void {
    const stdin = this.child?.stdin;
    if (!stdin || !stdin.writable || this.status.state !== 'running') {
      this.status.droppedBytes += bytes.length;
      return;
    }
    if (stdin.writableLength > (this.options.maxBufferedBytes ?? 2_500_000)) {
      this.status.droppedBytes += bytes.length;
      return;
    }
    // Copied: the caller reuses its buffers.
    stdin.write(Buffer.from(bytes));
  }

  /** Ends the input and waits for ffmpeg to finish its rungs' output (a recording's end; tests). */
  async endInput(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin?.end();
    await exited;
    this.status.state = 'stopped';
  }

  /** Ends ffmpeg for good (SIGTERM, then SIGKILL after a second). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.status.state = 'stopped';
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.child?.stdin?.destroy();
    await terminateChild(this.child);
  }

  /** The running ffmpeg's process id (tests kill it to check the supervision). */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  private spawn(): void {
    const fds = this.options.rungs.map(() => 'pipe' as const);
    const child = spawn(this.options.binary ?? 'ffmpeg', transcoderArgs(this.options.rungs), { stdio: ['pipe', 'ignore', 'pipe', ...fds] });
    this.child = child;
    this.startedAt = Date.now();
    this.stderrTail = '';
    child.stdin!.on('error', () => undefined); // ffmpeg gone: its exit is handled below
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => this.onStderr(text));
    this.options.rungs.forEach((_, i) => {
      const out = child.stdio[FIRST_RUNG_FD + i] as Readable;
      out.on('data', (bytes: Buffer) => this.options.onRungData(i, bytes));
      out.on('error', () => undefined);
    });
    child.once('spawn', () => {
      if (!this.stopping) this.status.state = 'running';
    });
    child.once('error', (error) => this.onExit(`cannot run ffmpeg: ${error.message}`));
    child.once('exit', (code, signal) => this.onExit(`ffmpeg exited (${signal ?? code})${this.stderrTail ? `: ${this.lastLines()}` : ''}`));
  }

  private onStderr(text: string): void {
    this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL);
    for (const match of text.matchAll(/^speed=\s*([\d.]+)x/gm)) this.status.speed = Number(match[1]);
    this.sampleCpu();
  }

  private sampleCpu(): void {
    const now = Date.now();
    if (this.cpuSample && now - this.cpuSample.atMs < CPU_SAMPLE_MS) return;
    const pid = this.child?.pid;
    const cpuSeconds = pid ? processCpuSeconds(pid) : null;
    if (cpuSeconds === null) return;
    if (this.cpuSample) this.status.cpuCores = Math.round(((cpuSeconds - this.cpuSample.cpuSeconds) / ((now - this.cpuSample.atMs) / 1000)) * 100) / 100;
    this.cpuSample = { atMs: now, cpuSeconds };
  }

  /** ffmpeg's own lines, without -progress's key=value ones. */
  private lastLines(): string {
    return this.stderrTail
      .split('\n')
      .filter((line) => line.trim() !== '' && !/^[a-z_0-9]+=/.test(line))
      .slice(-3)
      .join(' | ');
  }

  private onExit(reason: string): void {
    if (this.stopping || this.child === null) return;
    this.child = null;
    this.status.lastError = reason;
    this.status.state = 'restarting';
    this.status.speed = null;
    this.status.cpuCores = null;
    this.cpuSample = null;
    const delay = this.backoff.next(Date.now() - this.startedAt);
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.status.restarts++;
      this.spawn();
      this.options.onRestart?.();
    }, delay);
  }
}
