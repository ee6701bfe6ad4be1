// The RTMP front: one nginx with the RTMP module for every RTMP stream of this control plane,
// started when the first RTMP stream is and stopped with the last. nginx takes the connections,
// the handshakes and the publishers' pace; the control plane decides who may publish (on_publish,
// rtmp-gate.ts) and reads accepted streams back over loopback (rtmp-puller.ts).
import { rmSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { stopStaleProcess } from '../../common/stale-process.js';
import { renderTemplateFile } from '../../nginx/nginx-config.js';
import { moduleDirective, TEMP_DIRS } from '../../nginx/nginx-instance.js';
import { NginxLogger, NginxProcess } from '../../nginx/nginx-process.js';
import { RTMP_APPLICATION } from '../../streams/ingest-urls.js';

const CONTROL_TIMEOUT_MS = 2000;

export interface RtmpFrontOptions {
  binary: string;
  /** DATA_DIR/nginx/rtmp: config, pid file and the control socket. */
  prefix: string;
  port: number;
  /** Where on_publish and on_publish_done go: the control plane, with this boot's token in the path. */
  hookUrl: string;
  logger: NginxLogger;
  /** nginx died by itself (it is restarted): every publisher it had is gone, without on_publish_done. */
  onCrash: () => void;
}

export class RtmpFront {
  private readonly process: NginxProcess;
  private readonly configFile: string;
  private readonly pidFile: string;
  private starting: Promise<void> | null = null;

  constructor(private readonly options: RtmpFrontOptions) {
    this.configFile = path.join(options.prefix, 'nginx.conf');
    this.pidFile = path.join(options.prefix, 'nginx.pid');
    this.process = new NginxProcess(options.binary, options.prefix, this.configFile, options.logger, this.pidFile, () => {
      // nginx leaves its unix socket behind when killed; the restarted master could not bind it.
      rmSync(this.controlSocket, { force: true });
      options.onCrash();
    });
  }

  private get controlSocket(): string {
    return path.join(this.options.prefix, 'control.sock');
  }

  /** Where the ingest plays an accepted stream from (nginx allows play from loopback only). */
  get playBase(): string {
    return `rtmp://127.0.0.1:${this.options.port}/${RTMP_APPLICATION}`;
  }

  get running(): boolean {
    return this.process.running;
  }

  /** Starts nginx unless it runs; concurrent callers share one start. Rejects with nginx's words. */
  ensureStarted(): Promise<void> {
    if (this.process.running) return Promise.resolve();
    this.starting ??= this.start().finally(() => (this.starting = null));
    return this.starting;
  }

  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.process.stop();
  }

  /**
   * Disconnects whoever publishes `key` (nginx-rtmp's control API): a rotated secret or a deleted
   * stream must not leave the old publisher holding the key. Resolves false when nobody was.
   */
  dropPublisher(key: string): Promise<boolean> {
    if (!this.process.running) return Promise.resolve(false);
    const query = new URLSearchParams({ app: RTMP_APPLICATION, name: key });
    return new Promise((resolve) => {
      const request = http.get({ socketPath: this.controlSocket, path: `/control/drop/publisher?${query}`, timeout: CONTROL_TIMEOUT_MS }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
      });
      request.on('timeout', () => request.destroy());
      request.on('error', () => resolve(false));
    });
  }

  private async start(): Promise<void> {
    const modules = moduleDirective('ngx_rtmp_module.so');
    if (!modules) throw new Error('nginx has no RTMP module: apt-get install libnginx-mod-rtmp');
    for (const dir of TEMP_DIRS) await mkdir(path.join(this.options.prefix, dir), { recursive: true });
    const config = await renderTemplateFile('rtmp.conf.template', {
      MODULES: modules,
      // As root, workers drop to nobody: they only relay sockets and touch no file.
      USER_DIRECTIVE: os.userInfo().uid === 0 ? 'user nobody nogroup;' : '',
      PREFIX: this.options.prefix,
      RTMP_PORT: String(this.options.port),
      HOOK_URL: this.options.hookUrl,
    });
    await writeFile(this.configFile, config, { mode: 0o600 });
    if (await stopStaleProcess(this.pidFile, 'SIGQUIT')) this.options.logger.warn('stopped an RTMP front left running by a previous control plane');
    // A socket file left by a master that was killed would make the new one fail to bind.
    await rm(this.controlSocket, { force: true });
    await this.process.start();
    this.options.logger.log(`RTMP front listening on TCP ${this.options.port} (${this.playBase.replace('127.0.0.1', '<host>')}/<key>?secret=...)`);
  }
}
