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

/**
 * One nginx master in the foreground, supervised: checked with `nginx -t` before it starts,
 * restarted if it dies, stopped gracefully. The nginx process and its reloads sit behind this
 * small adapter so services do not spawn processes themselves.
 */
export class NginxProcess {
  private child: ChildProcess | null = null;
  private stopping = false;
  private restarts = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly binary: string,
    private readonly prefix: string,
    private readonly configFile: string,
    private readonly logger: NginxLogger,
    /** The `pid` file the configuration names: its appearance means nginx is listening. */
    private readonly pidFile: string,
  ) {}

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null;
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

  /** Resolves once nginx has bound its ports (so "ready" means requests are answered). */
  async start(): Promise<void> {
    await this.test();
    this.stopping = false;
    if (existsSync(this.pidFile)) unlinkSync(this.pidFile);
    this.spawnChild();
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!existsSync(this.pidFile)) {
      if (!this.running) throw new Error(`nginx exited during start-up (code ${this.child?.exitCode}); see the log above`);
      if (Date.now() > deadline) throw new Error(`nginx did not start within ${READY_TIMEOUT_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Graceful reload (SIGHUP): new workers take the new configuration, old ones finish their requests. */
  async reload(): Promise<void> {
    await this.test();
    this.child?.kill('SIGHUP');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGQUIT');
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(force);
  }

  private spawnChild(): void {
    const child = spawn(this.binary, ['-p', this.prefix, '-c', this.configFile, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr!.on('data', (d: Buffer) => this.logger.warn(d.toString().trim()));
    child.on('error', (error) => this.logger.error(`nginx could not start: ${error.message}`));
    child.on('exit', (code, signal) => {
      if (this.stopping || this.child !== child) return;
      const delay = RESTART_DELAYS_MS[Math.min(this.restarts++, RESTART_DELAYS_MS.length - 1)];
      this.logger.error(`nginx exited (${signal ?? code}); restarting in ${delay} ms`);
      this.timer = setTimeout(() => this.spawnChild(), delay);
      this.timer.unref();
    });
    // A process that stays up for a while resets the back-off.
    setTimeout(() => {
      if (this.child === child && this.running) this.restarts = 0;
    }, 30_000).unref();
  }
}
