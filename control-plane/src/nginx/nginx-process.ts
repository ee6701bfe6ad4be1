import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, unlinkSync } from 'node:fs';

export interface NginxLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Restarts after an unexpected exit: quick at first, then at most every 10 s. */
const RESTART_DELAYS_MS = [200, 1000, 3000, 10_000];
/** A graceful stop (SIGQUIT) lets downloads finish; after this long it is forced. */
const STOP_TIMEOUT_MS = 5000;
/** nginx writes its pid file once its sockets are bound; a start waits at most this long for it. */
const READY_TIMEOUT_MS = 10_000;
/** A new master waits at most this long for the last one's workers to be gone (see launchNow). */
const GROUP_EXIT_TIMEOUT_MS = 2000;
/** A master that stays up this long resets the restart back-off. */
const STABLE_MS = 30_000;

/**
 * One nginx master in the foreground, supervised: checked with `nginx -t` before it starts,
 * restarted if it dies, stopped gracefully. The nginx process and its reloads sit behind this
 * small adapter so services do not spawn processes themselves.
 *
 * The master runs in a process group of its own. When it dies, whatever is left of the group
 * (workers orphaned by a SIGKILL, still holding the listening sockets) is killed with it, so the
 * restarted master can bind its ports; and a Ctrl-C in the control plane's terminal reaches the
 * control plane, which stops nginx itself, not nginx behind its back. There is at most one
 * master and at most one pending restart per instance.
 */
export class NginxProcess {
  private child: ChildProcess | null = null;
  private stopping = false;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  /** Settles when the master being launched has bound its ports (or failed to). */
  private launching: Promise<void> = Promise.resolve();
  /** A launch is under way (waiting for the last master's workers, or for the new one's pid file). */
  private launchPending = false;

  constructor(
    private readonly binary: string,
    private readonly prefix: string,
    private readonly configFile: string,
    private readonly logger: NginxLogger,
    /** The `pid` file the configuration names: its appearance means nginx is listening. */
    private readonly pidFile: string,
    /** Called when the master died without being asked to (its connections are gone with it). */
    private readonly onUnexpectedExit?: () => void,
  ) {}

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The master's process id while it runs. */
  get pid(): number | null {
    return this.running ? (this.child!.pid ?? null) : null;
  }

  /** `nginx -t`: resolves when the configuration is valid, rejects with nginx's own words. */
  test(): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = spawn(this.binary, ['-t', '-q', '-p', this.prefix, '-c', this.configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      check.stdout!.on('data', (d: Buffer) => (output += d));
      check.stderr!.on('data', (d: Buffer) => (output += d));
      check.on('error', (error) => reject(new Error(`cannot run ${this.binary}: ${error.message}`)));
      check.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`nginx -t failed: ${output.trim()}`))));
    });
  }

  /**
   * Resolves once nginx has bound its ports (so "ready" means requests are answered). A restart
   * that was pending is taken over by this start, never run beside it; a running master is kept.
   */
  async start(): Promise<void> {
    await this.test();
    this.stopping = false;
    this.cancelRestart();
    if (this.running) return;
    await this.launch();
  }

  /** Graceful reload (SIGHUP): new workers take the new configuration, old ones finish their requests. */
  async reload(): Promise<void> {
    await this.test();
    // A master still starting may not handle SIGHUP yet (its default action ends the process).
    await this.launching.catch(() => undefined);
    if (!this.running) throw new Error('nginx is not running; it is being restarted');
    this.child!.kill('SIGHUP');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.cancelRestart();
    const child = this.child;
    if (!child || !this.isAlive(child)) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGCONT'); // a stopped master would never see the SIGQUIT
    child.kill('SIGQUIT');
    const force = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(force);
  }

  private isAlive(child: ChildProcess): boolean {
    return child.exitCode === null && child.signalCode === null;
  }

  private cancelRestart(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
  }

  /** Starts a master, or joins the start under way: two masters at once would leave one untracked. */
  private launch(): Promise<void> {
    if (!this.launchPending) {
      this.launchPending = true;
      this.launching = this.launchNow().finally(() => (this.launchPending = false));
    }
    return this.launching;
  }

  private async launchNow(): Promise<void> {
    // The last master's workers were sent SIGKILL when it died, but a worker busy in the kernel (a
    // loaded machine, a slow disk) can take a moment to exit and close the listening sockets; a
    // master started before that fails with "Address already in use".
    const previous = this.child?.pid;
    const gone = Date.now() + GROUP_EXIT_TIMEOUT_MS;
    while (previous && groupAlive(previous) && Date.now() < gone) await new Promise((resolve) => setTimeout(resolve, 20));
    if (this.stopping) return; // stopped meanwhile: nothing to start
    if (existsSync(this.pidFile)) unlinkSync(this.pidFile);
    const child = this.spawnChild();
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!existsSync(this.pidFile)) {
      if (!this.isAlive(child)) throw new Error(`nginx exited during start-up (${child.signalCode ?? child.exitCode}); see the log above`);
      if (Date.now() > deadline) throw new Error(`nginx did not start within ${READY_TIMEOUT_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private spawnChild(): ChildProcess {
    // detached: the master leads a new process group, which holds its workers.
    const child = spawn(this.binary, ['-p', this.prefix, '-c', this.configFile, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    this.child = child;
    child.stderr!.on('data', (d: Buffer) => this.logger.warn(d.toString().trim()));
    child.on('error', (error) => this.logger.error(`nginx could not start: ${error.message}`));
    child.on('exit', (code, signal) => {
      // Orphaned workers would keep the ports and serve the old config: nothing of the master survives it.
      killGroup(child, 'SIGKILL');
      if (this.stopping || this.child !== child) return;
      this.scheduleRestart(`nginx exited (${signal ?? code})`);
      this.onUnexpectedExit?.();
    });
    const stable = setTimeout(() => {
      if (this.child === child && this.isAlive(child)) this.restarts = 0;
    }, STABLE_MS);
    stable.unref();
    child.once('exit', () => clearTimeout(stable));
    return child;
  }

  /** One restart chain: a restart already pending is not doubled. */
  private scheduleRestart(reason: string): void {
    if (this.restartTimer) return;
    const delay = RESTART_DELAYS_MS[Math.min(this.restarts++, RESTART_DELAYS_MS.length - 1)];
    this.logger.error(`${reason}; restarting in ${delay} ms`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping || this.running) return;
      // A start that fails exits the new master, whose exit handler schedules the next try.
      this.launch().catch((error: Error) => this.logger.error(`nginx restart failed: ${error.message}`));
    }, delay);
    this.restartTimer.unref();
  }
}

/** True while a process of the group led by `pid` is left (zombies count: they are gone within a moment). */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SIGKILL (or another signal) to every process left in the master's group; none left is fine. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already empty.
  }
}
