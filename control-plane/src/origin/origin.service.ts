import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { firstClosedDirectory } from '../common/fs-access.js';
import { stopStaleProcess } from '../common/stale-process.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../database/database.tokens.js';
import { renderTemplateFile } from './nginx-config.js';
import { NginxProcess } from './nginx-process.js';

/**
 * One-machine mode: renders nginx/origin-server.conf.template for HLS_HTTP_PORT and MEDIA_ROOT,
 * checks it, and runs nginx as a supervised child for as long as the control plane runs.
 */
@Injectable()
export class OriginService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('origin');
  private nginx: NginxProcess | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onApplicationBootstrap(): Promise<void> {
    const prefix = path.join(this.config.dataDir, 'nginx', 'origin');
    for (const dir of ['tmp/body', 'tmp/proxy', 'tmp/fastcgi', 'tmp/uwsgi', 'tmp/scgi']) await mkdir(path.join(prefix, dir), { recursive: true });
    await mkdir(path.join(this.config.mediaRoot, 'live'), { recursive: true });
    const serverConf = path.join(prefix, 'origin-server.conf');
    await writeFile(serverConf, await renderTemplateFile('origin-server.conf.template', { HLS_HTTP_PORT: String(this.config.hlsHttpPort), MEDIA_ROOT: this.config.mediaRoot }));
    const mainConf = path.join(prefix, 'nginx.conf');
    await writeFile(mainConf, await renderTemplateFile('main.conf.template', { USER_DIRECTIVE: await this.userDirective(), PREFIX: prefix, SERVER_CONF: serverConf }));
    const pidFile = path.join(prefix, 'nginx.pid');
    this.nginx = new NginxProcess(
      this.config.nginxBinary,
      prefix,
      mainConf,
      { log: (m) => this.logger.log(m), warn: (m) => this.logger.warn(m), error: (m) => this.logger.error(m) },
      pidFile,
    );
    // An origin left running by a control plane that was killed would hold the port.
    if (await stopStaleProcess(pidFile, 'SIGQUIT')) this.logger.warn('stopped an origin nginx left running by a previous control plane');
    await this.nginx.start();
    this.logger.log(`origin nginx serving ${this.config.mediaRoot} on port ${this.config.hlsHttpPort}`);
  }

  async onModuleDestroy(): Promise<void> {
    await this.nginx?.stop();
  }

  /**
   * As root, nginx workers drop to "nobody", who must be able to walk down to MEDIA_ROOT. Where
   * a parent directory is closed to others (a checkout under /root), the workers stay root and
   * we say so, rather than serving 403s.
   */
  private async userDirective(): Promise<string> {
    if (os.userInfo().uid !== 0) return '';
    const closed = await firstClosedDirectory(path.join(this.config.mediaRoot, 'live', 'x'));
    if (!closed) return 'user nobody nogroup;';
    this.logger.warn(`${closed.dir} is closed to other users (mode ${closed.mode.toString(8)}): nginx workers run as root; "chmod o+x ${closed.dir}" avoids that`);
    return 'user root root;';
  }
}
