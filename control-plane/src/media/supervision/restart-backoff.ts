// When a supervised child process (the ABR transcoder, the SRT listener) that died is started
// again: after a delay that doubles with each quick failure, so a child that cannot run (a bad
// argument, a port taken) does not spin, and that starts short again once a run has lasted; and
// how one is stopped for good.
import type { ChildProcess } from 'node:child_process';

/** A run this long resets the back-off: the failure before it was not a crash loop. */
export const STABLE_RUN_MS = 60_000;

export class RestartBackoff {
  private delayMs: number;

  constructor(
    private readonly firstMs = 1000,
    private readonly maxMs = 30_000,
  ) {
    this.delayMs = firstMs;
  }

  /** The delay before the next start, given how long the run that just ended lasted. */
  next(runMs: number): number {
    if (runMs >= STABLE_RUN_MS) this.delayMs = this.firstMs;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.maxMs);
    return delay;
  }
}

/** Ends a child for good: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
export async function terminateChild(child: ChildProcess | null, graceMs = 1000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(kill);
}
