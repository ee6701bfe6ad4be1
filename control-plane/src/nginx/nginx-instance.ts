import { existsSync, readFileSync } from 'node:fs';
import { chown, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { firstClosedDirectory } from '../common/fs-access.js';
import { stopStaleProcess } from '../common/stale-process.js';
import { GENERATION_RESPONSE_HEADER, renderTemplateFile } from './nginx-config.js';
import { NginxLogger, NginxProcess } from './nginx-process.js';

/** Where distributions put dynamic nginx modules (Debian/Ubuntu, RHEL, the official image, source builds). */
const MODULE_DIRS = ['/usr/lib/nginx/modules', '/usr/lib64/nginx/modules', '/etc/nginx/modules', '/usr/local/nginx/modules'];
/** The temporary directories an nginx with an http block needs under its prefix. */
export const TEMP_DIRS = ['tmp/body', 'tmp/proxy', 'tmp/fastcgi', 'tmp/uwsgi', 'tmp/scgi'];

export interface NginxInstanceOptions {
  /** What this nginx is (origin, edge), for messages. */
  role: string;
  binary: string;
  /** DATA_DIR/nginx/<name>: config, pid, logs and temporary files of this instance. */
  prefix: string;
  /** Files the workers read or write; as root they must be able to reach them (see workerUser). */
  workerPaths: string[];
  /** Directories the workers write to (caches); handed to the worker user. */
  workerWritableDirs?: string[];
  /** Loads njs: the edge's hooks are njs. */
  njs?: boolean;
  /** Where this nginx answers /healthz for the control plane (loopback); needed to observe its generation. */
  healthUrl?: string;
  logger: NginxLogger;
}

/** A probe of /healthz slower than this counts as no answer. */
const PROBE_TIMEOUT_MS = 1000;

/**
 * One nginx master run by the control plane (the origin, the local edge): its prefix directories,
 * its main config around a rendered server config, and the supervised process. A server config
 * can be tried (`nginx -t`) before it replaces the running one.
 */
export class NginxInstance {
  readonly process: NginxProcess;
  readonly serverConf: string;
  readonly mainConf: string;
  private readonly pidFile: string;
  private userDirective: string | null = null;
  /** Whether a master left by a previous control plane was looked for (once, before our first start). */
  private reclaimed = false;

  constructor(private readonly options: NginxInstanceOptions) {
    this.serverConf = path.join(options.prefix, 'server.conf');
    this.mainConf = path.join(options.prefix, 'nginx.conf');
    this.pidFile = path.join(options.prefix, 'nginx.pid');
    this.process = new NginxProcess(options.binary, options.prefix, this.mainConf, options.logger, this.pidFile);
  }

  /** Writes the configs and starts nginx (after reclaiming one a killed control plane left running). */
  async start(serverConfig: string): Promise<void> {
    await this.prepare();
    await this.writeConfigs(serverConfig, this.serverConf, this.mainConf);
    if (!this.reclaimed && (await stopStaleProcess(this.pidFile, 'SIGQUIT')))
      this.options.logger.warn(`stopped an ${this.options.role} nginx left running by a previous control plane`);
    this.reclaimed = true;
    await this.process.start();
  }

  /**
   * Checks `serverConfig` with `nginx -t` in a side file. Rejects with nginx's words when nginx
   * refuses it; nothing that runs is touched either way.
   */
  async check(serverConfig: string): Promise<void> {
    await this.prepare();
    const candidateServer = `${this.serverConf}.next`;
    const candidateMain = `${this.mainConf}.next`;
    await this.writeConfigs(serverConfig, candidateServer, candidateMain);
    await new NginxProcess(this.options.binary, this.options.prefix, candidateMain, this.options.logger, this.pidFile).test();
  }

  /**
   * Makes `serverConfig` the config nginx runs: a graceful reload of a running master, a start
   * (taking over any pending restart) otherwise. Whether nginx took it is observed separately
   * (observedGeneration): a signal sent is not a config applied.
   */
  async install(serverConfig: string): Promise<void> {
    await this.check(serverConfig);
    await this.writeConfigs(serverConfig, this.serverConf, this.mainConf);
    if (this.process.running) await this.process.reload();
    else if (!this.reclaimed) await this.start(serverConfig);
    // Not start() again: reclaiming a master left by a crashed control plane must never hit our own.
    else await this.process.start();
  }

  /** The config generation nginx answers /healthz with; null when it does not answer. */
  async observedGeneration(): Promise<string | null> {
    if (!this.options.healthUrl) return null;
    try {
      const response = await fetch(this.options.healthUrl, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      await response.arrayBuffer();
      return response.ok ? response.headers.get(GENERATION_RESPONSE_HEADER) : null;
    } catch {
      return null;
    }
  }

  stop(): Promise<void> {
    return this.process.stop();
  }

  /** The prefix's directories and the worker user, once: `nginx -t` needs them too. */
  private async prepare(): Promise<void> {
    if (this.userDirective !== null) return;
    for (const dir of TEMP_DIRS) await mkdir(path.join(this.options.prefix, dir), { recursive: true });
    this.userDirective = await this.workerUser();
  }

  private async writeConfigs(serverConfig: string, serverFile: string, mainFile: string): Promise<void> {
    await writeFile(serverFile, serverConfig, { mode: 0o600 });
    const main = await renderTemplateFile('main.conf.template', {
      MODULES: this.options.njs ? njsModuleDirective() : '',
      USER_DIRECTIVE: this.userDirective ?? '',
      PREFIX: this.options.prefix,
      SERVER_CONF: serverFile,
    });
    await writeFile(mainFile, main, { mode: 0o600 });
  }

  /**
   * As root, nginx workers drop to "nobody", who must be able to walk down to every path they
   * serve or cache. Where a parent directory is closed to others (a checkout under /root), the
   * workers stay root and we say so, rather than serving 403s.
   */
  private async workerUser(): Promise<string> {
    if (os.userInfo().uid !== 0) return '';
    for (const target of this.options.workerPaths) {
      const closed = await firstClosedDirectory(target);
      if (!closed) continue;
      this.options.logger.warn(
        `${closed.dir} is closed to other users (mode ${closed.mode.toString(8)}): nginx workers run as root; "chmod o+x ${closed.dir}" avoids that`,
      );
      return 'user root root;';
    }
    const nobody = unixIds('nobody');
    for (const dir of [...(this.options.workerWritableDirs ?? []), path.join(this.options.prefix, 'tmp', 'proxy')]) {
      await mkdir(dir, { recursive: true });
      if (nobody) await chown(dir, nobody.uid, nobody.gid);
    }
    return 'user nobody nogroup;';
  }
}

/** `load_module` for a dynamic module (`ngx_http_js_module.so`) where one is installed; empty where none is. */
export function moduleDirective(fileName: string): string {
  for (const dir of MODULE_DIRS) {
    const file = path.join(dir, fileName);
    if (existsSync(file)) return `load_module ${file};`;
  }
  return '';
}

/** `load_module` for njs where it is a dynamic module; empty where nginx has it built in (or lacks it: nginx -t says so). */
export function njsModuleDirective(): string {
  return moduleDirective('ngx_http_js_module.so');
}

/** uid/gid of a local user from /etc/passwd (Node has no getpwnam). */
function unixIds(user: string): { uid: number; gid: number } | null {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${user}:`));
    if (!line) return null;
    const fields = line.split(':');
    return { uid: Number(fields[2]), gid: Number(fields[3]) };
  } catch {
    return null;
  }
}
