import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import path from 'node:path';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { ConfigEventsService } from '../events/config-events.service.js';
import { ManagedNginx } from '../nginx/managed-nginx.js';
import { NginxInstance } from '../nginx/nginx-instance.js';
import { NodesService } from '../nodes/nodes.service.js';
import { EdgeConfigService, EdgePaths } from './edge-config.service.js';
import { LOCAL_EDGE, LOCAL_ORIGIN, registerLocalNode } from './local-nodes.js';
import { installNjsModules } from './njs-modules.js';
import { nginxLogger, recordOutcome } from './local-nginx.js';

/**
 * One-machine mode with HLS_EDGE_PORT: a local edge nginx in front of the local origin, registered
 * as the nodes `local-edge` and `local-origin`. Its config is rendered from the database and
 * re-rendered when nodes, signed streams or signing keys change; whether nginx runs it is
 * observed, and the outcome is stored on the node (ManagedNginx).
 */
@Injectable()
export class LocalEdgeService implements OnModuleDestroy {
  private readonly logger = new Logger('edge local-edge');
  private managed: ManagedNginx | null = null;
  private nginx: NginxInstance | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
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
    const paths: EdgePaths = {
      cacheDir: path.join(prefix, 'cache'),
      njsDir: path.join(prefix, 'njs'),
      accessLog: path.join(prefix, 'access.log'),
      cacheMaxSize: this.config.edgeCacheSize,
    };
    await installNjsModules(paths.njsDir);
    const logger = nginxLogger(this.logger);
    this.nginx = new NginxInstance({
      role: 'edge',
      binary: this.config.nginxBinary,
      prefix,
      workerPaths: [path.join(paths.cacheDir, 'x'), path.join(paths.njsDir, 'edge.js')],
      workerWritableDirs: [paths.cacheDir],
      njs: true,
      healthUrl: `http://127.0.0.1:${port}/healthz`,
      logger,
    });
    this.managed = new ManagedNginx({
      instance: this.nginx,
      render: async () => this.edgeConfig.render(await this.edgeConfig.edgeNode(LOCAL_EDGE), paths, port),
      report: (outcome) => recordOutcome(this.nodes, LOCAL_EDGE, outcome, this.logger),
      logger,
    });
    this.unsubscribe = this.events.subscribe(() => this.managed?.scheduleRender());
    await this.managed.start();
    this.logger.log(`edge nginx on port ${port}, caching in ${paths.cacheDir}`);
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe?.();
    await this.managed?.stop();
  }
}
