import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../database/database.tokens.js';
import { renderTemplateFile } from './nginx-config.js';
import { NginxInstance } from './nginx-instance.js';

/**
 * One-machine mode: renders nginx/origin-server.conf.template for HLS_HTTP_PORT and MEDIA_ROOT,
 * checks it, and runs nginx as a supervised child for as long as the control plane runs.
 */
@Injectable()
export class OriginService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('origin');
  private nginx: NginxInstance | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onApplicationBootstrap(): Promise<void> {
    await mkdir(path.join(this.config.mediaRoot, 'live'), { recursive: true });
    this.nginx = new NginxInstance({
      role: 'origin',
      binary: this.config.nginxBinary,
      prefix: path.join(this.config.dataDir, 'nginx', 'origin'),
      workerPaths: [path.join(this.config.mediaRoot, 'live', 'x')],
      logger: { log: (m) => this.logger.log(m), warn: (m) => this.logger.warn(m), error: (m) => this.logger.error(m) },
    });
    await this.nginx.start(await renderTemplateFile('origin-server.conf.template', { HLS_HTTP_PORT: String(this.config.hlsHttpPort), MEDIA_ROOT: this.config.mediaRoot }));
    this.logger.log(`origin nginx serving ${this.config.mediaRoot} on port ${this.config.hlsHttpPort}`);
  }

  async onModuleDestroy(): Promise<void> {
    await this.nginx?.stop();
  }
}
