import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import path from 'node:path';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../database/database.tokens.js';
import { ConfigEventsService } from '../events/config-events.service.js';
import { NodesService } from '../nodes/nodes.service.js';
import { NginxInstance } from '../origin/nginx-instance.js';
import { EdgeConfigService, EdgePaths } from './edge-config.service.js';
import { LOCAL_EDGE, LOCAL_ORIGIN, registerLocalNode } from './local-nodes.js';
import { installNjsModules } from './njs-modules.js';

/** Several changes in a burst (a stream and its keys) make one re-render. */
const RENDER_DEBOUNCE_MS = 100;

/**
 * One-machine mode with HLS_EDGE_PORT: a local edge nginx in front of the local origin, registered
 * as the nodes `local-edge` and `local-origin`. Its config is rendered from the database and
 * re-rendered when nodes, signed streams or signing keys change: checked with `nginx -t`, then
 * reloaded gracefully; a config nginx refuses is not applied and its error is stored on the node.
 */
@Injectable()
export class LocalEdgeService implements OnModuleDestroy {
  private readonly logger = new Logger('edge local-edge');
  private nginx: NginxInstance | null = null;
  private paths: EdgePaths | null = null;
  private applied = '';
  private lastError: string | null = null;
  private unsubscribe: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private rendering: Promise<void> = Promise.resolve();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly nodes: NodesService,
    private readonly edgeConfig: EdgeConfigService,
    private readonly events: ConfigEventsService,
  ) {}

  /** Runs the local edge when HLS_EDGE_PORT is set; a config nginx refuses is reported, not fatal. */
  async start(): Promise<void> {
    const port = this.config.hlsEdgePort;
    if (port === null) return;
    if (this.config.localOrigin) await registerLocalNode(this.nodes, LOCAL_ORIGIN, 'origin', `http://${this.config.publicHost}:${this.config.hlsHttpPort}`);
    await registerLocalNode(this.nodes, LOCAL_EDGE, 'edge', `http://${this.config.publicHost}:${port}`);
    const prefix = path.join(this.config.dataDir, 'nginx', 'edge');
    this.paths = {
      cacheDir: path.join(prefix, 'cache'),
      njsDir: path.join(prefix, 'njs'),
      accessLog: path.join(prefix, 'access.log'),
      cacheMaxSize: this.config.edgeCacheSize,
    };
    await installNjsModules(this.paths.njsDir);
    this.nginx = new NginxInstance({
      role: 'edge',
      binary: this.config.nginxBinary,
      prefix,
      workerPaths: [path.join(this.paths.cacheDir, 'x'), path.join(this.paths.njsDir, 'edge.js')],
      workerWritableDirs: [this.paths.cacheDir],
      njs: true,
      logger: { log: (m) => this.logger.log(m), warn: (m) => this.logger.warn(m), error: (m) => this.logger.error(m) },
    });
    this.unsubscribe = this.events.subscribe(() => this.scheduleRender());
    const rendered = await this.renderOrRecord();
    if (rendered === null) return;
    try {
      await this.nginx.start(rendered);
      this.applied = rendered;
      await this.record(null);
      this.logger.log(`edge nginx on port ${port}, caching in ${this.paths.cacheDir}`);
    } catch (error) {
      await this.record((error as Error).message);
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    await this.rendering;
    await this.nginx?.stop();
  }

  /** Every configuration change may touch the edge; unchanged renders cost no reload. */
  private scheduleRender(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.rendering = this.rendering.then(() => this.rerender());
    }, RENDER_DEBOUNCE_MS);
    this.timer.unref();
  }

  private async rerender(): Promise<void> {
    if (!this.nginx) return;
    const rendered = await this.renderOrRecord();
    if (rendered === null) return;
    if (rendered === this.applied) {
      // Back to the config that runs (the offending change was undone): nothing to reload, nothing wrong.
      if (this.lastError !== null) await this.record(null);
      return;
    }
    try {
      if (this.nginx.process.running) await this.nginx.apply(rendered);
      else await this.nginx.start(rendered);
      this.applied = rendered;
      await this.record(null);
      this.logger.log('edge config re-rendered and reloaded');
    } catch (error) {
      await this.record((error as Error).message);
    }
  }

  private async renderOrRecord(): Promise<string | null> {
    try {
      return await this.edgeConfig.render(await this.edgeConfig.edgeNode(LOCAL_EDGE), this.paths!, this.config.hlsEdgePort!);
    } catch (error) {
      await this.record((error as Error).message);
      return null;
    }
  }

  /** The outcome goes on the node row (no version bump, no event: it is status, not configuration). */
  private async record(error: string | null): Promise<void> {
    this.lastError = error;
    if (error) this.logger.error(`edge config not applied: ${error}`);
    await this.dataSource
      .query(
        error === null
          ? 'UPDATE nodes SET config_error = NULL, config_applied_at = now() WHERE name = $1'
          : 'UPDATE nodes SET config_error = $2 WHERE name = $1',
        error === null ? [LOCAL_EDGE] : [LOCAL_EDGE, error.slice(0, 4000)],
      )
      .catch((failure: Error) => this.logger.warn(`could not record the edge config outcome: ${failure.message}`));
  }
}
