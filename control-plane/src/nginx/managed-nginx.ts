import { configGeneration } from './nginx-config.js';
import type { NginxInstance } from './nginx-instance.js';
import type { NginxLogger } from './nginx-process.js';

/** Several changes in a burst (a stream and its keys) make one re-render. */
const RENDER_DEBOUNCE_MS = 100;
/** After a reload, how long nginx has to show the new generation before that counts as not applied. */
const APPLY_TIMEOUT_MS = 5000;
/** How often the running generation is checked between changes (a master killed, stopped, restarted). */
const WATCH_INTERVAL_MS = 1000;
/** A master that runs but not the wanted generation is asked to reload again at most this often. */
const RELOAD_RETRY_MS = 5000;

/** What the config outcome of an nginx is, as last observed: the node row shows it. */
export interface ConfigOutcome {
  /** null when nginx was seen running the config the database asks for. */
  error: string | null;
  /** The generation seen running (null when nginx did not answer). */
  runningGeneration: string | null;
}

export interface ManagedNginxOptions {
  instance: NginxInstance;
  /** The server config the database asks for now; throws when none can be made (the error is reported). */
  render: () => Promise<string>;
  /** Called when the outcome changes, and for every newly applied generation. */
  report: (outcome: ConfigOutcome) => Promise<void>;
  logger: NginxLogger;
}

/**
 * Keeps one nginx running the config the database asks for, and says so only when it has seen
 * it: every change is rendered, checked with `nginx -t`, installed (reload or start), and then
 * observed on /healthz, which reports the generation nginx really runs. A watch keeps observing
 * between changes, so a master that dies, hangs or comes back is reported, and the error clears
 * by itself once nginx runs the wanted generation again. All work runs on one chain, in order.
 */
export class ManagedNginx {
  /** The generation nginx should run: the last config that passed `nginx -t`. */
  private wanted: string | null = null;
  private installed = '';
  /** A render or `nginx -t` refusal: stays until a later render passes (observation cannot clear it). */
  private refusal: string | null = null;
  private last: ConfigOutcome | null = null;
  private lastReloadAt = 0;
  private chain: Promise<void> = Promise.resolve();
  private debounce: NodeJS.Timeout | null = null;
  private watch: NodeJS.Timeout | null = null;

  constructor(private readonly options: ManagedNginxOptions) {}

  /** Renders, starts and observes; a config nginx refuses is reported (and returned), not thrown. */
  async start(): Promise<ConfigOutcome> {
    await this.enqueue(() => this.converge());
    this.watch = setInterval(() => void this.enqueue(() => this.watchOnce()), WATCH_INTERVAL_MS);
    this.watch.unref();
    return this.last ?? { error: 'not started', runningGeneration: null };
  }

  /** Every configuration change may touch this nginx; unchanged renders cost no reload. */
  scheduleRender(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = null;
      void this.enqueue(() => this.converge());
    }, RENDER_DEBOUNCE_MS);
    this.debounce.unref();
  }

  async stop(): Promise<void> {
    if (this.debounce) clearTimeout(this.debounce);
    if (this.watch) clearInterval(this.watch);
    await this.chain;
    await this.options.instance.stop();
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(work).catch((error: Error) => this.options.logger.error(`nginx supervision: ${error.stack ?? error.message}`));
    return this.chain;
  }

  private async converge(): Promise<void> {
    const { instance } = this.options;
    let rendered: string;
    try {
      rendered = await this.options.render();
      if (rendered !== this.installed || !instance.process.running) await instance.check(rendered);
    } catch (error) {
      this.refusal = (error as Error).message;
      await this.publish({ error: this.refusal, runningGeneration: await instance.observedGeneration() });
      return;
    }
    this.refusal = null;
    this.wanted = configGeneration(rendered);
    if (rendered !== this.installed || !instance.process.running) {
      try {
        this.lastReloadAt = Date.now();
        await instance.install(rendered);
        this.installed = rendered;
      } catch (error) {
        // The supervisor keeps restarting a master that failed to start; the watch reports what it sees.
        this.options.logger.error(`config not installed: ${(error as Error).message}`);
      }
    }
    await this.observe(APPLY_TIMEOUT_MS);
  }

  /**
   * One look between changes. A master that runs but answers with another generation is asked to
   * reload again (a signal may have been lost, or come before it could act on it).
   */
  private async watchOnce(): Promise<void> {
    await this.observe(0);
    const { instance } = this.options;
    if (this.last?.error && this.refusal === null && this.installed && instance.process.running && Date.now() - this.lastReloadAt >= RELOAD_RETRY_MS) {
      this.lastReloadAt = Date.now();
      await instance.install(this.installed).catch((error: Error) => this.options.logger.warn(`reload retry failed: ${error.message}`));
    }
  }

  /** Compares the generation nginx answers with the wanted one, for up to `waitMs`, and reports. */
  private async observe(waitMs: number): Promise<void> {
    if (this.refusal !== null || this.wanted === null) return;
    const deadline = Date.now() + waitMs;
    let running = await this.options.instance.observedGeneration();
    while (running !== this.wanted && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      running = await this.options.instance.observedGeneration();
    }
    const error =
      running === this.wanted
        ? null
        : running === null
          ? `nginx does not answer; config ${this.wanted} is not running`
          : `nginx runs config ${running}, not ${this.wanted}: the change is not applied`;
    await this.publish({ error, runningGeneration: running });
  }

  private async publish(outcome: ConfigOutcome): Promise<void> {
    const last = this.last;
    if (last && last.error === outcome.error && last.runningGeneration === outcome.runningGeneration) return;
    this.last = outcome;
    if (outcome.error) this.options.logger.error(`config not applied: ${outcome.error}`);
    else if (last?.error) this.options.logger.log(`config ${outcome.runningGeneration} applied (recovered)`);
    else this.options.logger.log(`config ${outcome.runningGeneration} applied`);
    await this.options.report(outcome);
  }
}
