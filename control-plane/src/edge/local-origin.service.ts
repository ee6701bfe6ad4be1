import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { ConfigEventsService } from '../events/config-events.service.js';
import { ManagedNginx } from '../nginx/managed-nginx.js';
import { NginxInstance } from '../nginx/nginx-instance.js';
import { NodesService } from '../nodes/nodes.service.js';
import { EdgeConfigService, OriginPaths } from './edge-config.service.js';
import { nginxLogger, recordOutcome } from './local-nginx.js';
import { LOCAL_ORIGIN } from './local-nodes.js';
import { installNjsModules } from './njs-modules.js';
import { LIVE_DIR } from '../media/hls-layout.js';

/**
 * One-machine mode: the origin nginx serving MEDIA_ROOT on HLS_HTTP_PORT (bound to HLS_HTTP_BIND),
 * as a supervised child for as long as the control plane runs. Its config comes from the
 * database like an edge's, because it checks the tokens of signed streams too: re-rendered on
 * every change, observed, and its outcome stored on the `local-origin` node when it is one.
 */
@Injectable()
export class LocalOriginService implements OnModuleDestroy {
  private readonly logger = new Logger('origin');
  private managed: ManagedNginx | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly nodes: NodesService,
    private readonly nodeConfigs: EdgeConfigService,
    private readonly events: ConfigEventsService,
  ) {}

  async start(): Promise<void> {
    const { hlsHttpBind: bind, hlsHttpPort: port, mediaRoot } = this.config;
    await mkdir(path.join(mediaRoot, LIVE_DIR), { recursive: true });
    const prefix = path.join(this.config.dataDir, 'nginx', 'origin');
    const paths: OriginPaths = { njsDir: path.join(prefix, 'njs'), mediaRoot, listen: `${bind}:${port}` };
    await installNjsModules(paths.njsDir);
    const logger = nginxLogger(this.logger);
    const probeHost = bind === '0.0.0.0' ? '127.0.0.1' : bind === '[::]' ? '[::1]' : bind;
    this.managed = new ManagedNginx({
      instance: new NginxInstance({
        role: 'origin',
        binary: this.config.nginxBinary,
        prefix,
        workerPaths: [path.join(mediaRoot, LIVE_DIR, 'x'), path.join(paths.njsDir, 'edge.js')],
        njs: true,
        healthUrl: `http://${probeHost}:${port}/healthz`,
        logger,
      }),
      render: () => this.nodeConfigs.renderOrigin(paths),
      report: (outcome) => recordOutcome(this.nodes, LOCAL_ORIGIN, outcome, this.logger),
      logger,
    });
    this.unsubscribe = this.events.subscribe(() => this.managed?.scheduleRender());
    // Without its origin this machine serves nothing: a first start that fails stops the boot.
    const outcome = await this.managed.start();
    if (outcome.error) throw new Error(`the origin nginx did not start: ${outcome.error}`);
    this.logger.log(`origin nginx serving ${mediaRoot} on ${paths.listen}`);
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe?.();
    await this.managed?.stop();
  }
}
