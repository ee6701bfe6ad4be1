// A helper process that must keep running while it is wanted (the SRT listener, an RTMP reader):
// started, watched, started again after the restart back-off when it dies by itself, stopped for
// good on request. Its owner reads its output (onSpawn) and hears of each death (onDied); the
// last lines of its stderr are kept here for the reason given.
import { ChildProcess, spawn } from 'node:child_process';
import { RestartBackoff, terminateChild } from './restart-backoff.js';

const STDERR_TAIL = 1000;

export interface SupervisedChildOptions {
  command: string;
  args: string[];
  /** What to install when the command is missing (for the message). */
  installHint: string;
  backoff: RestartBackoff;
  /** Each new process, to read its stdout and stderr. */
  onSpawn: (child: ChildProcess) => void;
  /** It died by itself (the reason names the exit and its last stderr lines); a restart follows. */
  onDied: (reason: string) => void;
}

export class SupervisedChild {
  /** Times it was started again after dying. */
  restarts = 0;
  private child: ChildProcess | null = null;
  private stopping = true;
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private stderrTail = '';

  constructor(private readonly options: SupervisedChildOptions) {}

  /** Running, or about to be started again. */
  get wanted(): boolean {
    return !this.stopping;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Starts it unless it runs or a restart is pending. */
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
    const { command, args } = this.options;
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.startedAt = Date.now();
    this.stderrTail = '';
    child.stderr!.on('data', (d: Buffer) => (this.stderrTail = `${this.stderrTail}${d}`.slice(-STDERR_TAIL)));
    this.options.onSpawn(child);
    child.once('error', (error) => this.died(child, `cannot run ${command} (${this.options.installHint}): ${error.message}`));
    child.once('exit', (code, signal) => this.died(child, `${command} exited (${signal ?? code}): ${this.lastLines()}`));
  }

  private lastLines(): string {
    return this.stderrTail.trim().split('\n').slice(-2).join(' | ');
  }

  private died(child: ChildProcess, reason: string): void {
    if (this.stopping || this.child !== child) return;
    this.child = null;
    this.options.onDied(reason);
    this.restartTimer = setTimeout(
      () => {
        if (this.stopping) return;
        this.restarts++;
        this.spawn();
      },
      this.options.backoff.next(Date.now() - this.startedAt),
    );
  }
}
