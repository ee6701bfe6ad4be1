import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Repository } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import type { ConfigEvent } from '../events/config-event.js';
import { ConfigEventsService } from '../events/config-events.service.js';
import { SourcePictures } from '../streams/source-pictures.js';
import { StreamEntity } from '../streams/stream.entity.js';
import { settingsOf } from '../streams/stream-settings.js';
import { STREAM_KEY_PATTERN } from '../streams/stream-limits.js';
import type { FromWorker, IngestStatus, IngestStreamConfig, ToWorker } from './ingest-protocol.js';
import { LIVE_DIR } from '../media/hls-layout.js';
import { PlaylistPositions } from '../low-latency/playlist-positions.js';
import type { IngestHost } from './stream-ingest.js';
import { randomBytes } from 'node:crypto';
import { PlainRoutes } from '../common/plain-routes.js';
import { RtmpEvent, RtmpGate, RtmpStreamRef } from './rtmp/rtmp-gate.js';
import { RtmpFront } from './rtmp/rtmp-front.js';

/** A stop waits this long for the worker to flush and close before the stream is dropped anyway. */
const STOP_TIMEOUT_MS = 5000;
/** Where nginx-rtmp's on_publish calls land (plain routes: no Express, no body parsing). */
const RTMP_HOOK_PREFIX = '/internal/rtmp';
/** An RTMP front that could not start (its port taken) is tried again this often while RTMP streams run. */
const RTMP_FRONT_RETRY_MS = 10_000;

interface Running {
  config: IngestStreamConfig;
  worker: Worker;
}

/**
 * Keeps one ingest per enabled stream running in a pool of worker threads, following the
 * database: NOTIFY events start, move or stop them within a second, without a restart.
 */
@Injectable()
export class IngestService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ingest');
  private readonly workers: Worker[] = [];
  private readonly running = new Map<string, Running>();
  private readonly statuses = new Map<string, IngestStatus>();
  private readonly stopWaiters = new Map<string, () => void>();
  private readonly statusListeners = new Set<(id: string, key: string, status: IngestStatus) => void>();
  private unsubscribe: (() => void) | null = null;
  private chain: Promise<void> = Promise.resolve();
  /** RTMP: one front for every RTMP stream, and the gate that answers its on_publish calls. */
  private readonly rtmpFront: RtmpFront;
  private readonly rtmpGate: RtmpGate;
  private rtmpRetry: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(StreamEntity) private readonly streams: Repository<StreamEntity>,
    private readonly events: ConfigEventsService,
    private readonly positions: PlaylistPositions,
    private readonly pictures: SourcePictures,
    routes: PlainRoutes,
  ) {
    // The hook's path carries a token made at boot: only the front, whose config holds it, can
    // say a publisher came or went (the control plane's port may be reachable from elsewhere).
    const token = randomBytes(16).toString('hex');
    const hookHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const logger = { log: (m: string) => this.logger.log(m), warn: (m: string) => this.logger.warn(m), error: (m: string) => this.logger.error(m) };
    this.rtmpFront = new RtmpFront({
      binary: config.nginxBinary,
      prefix: path.join(config.dataDir, 'nginx', 'rtmp'),
      port: config.rtmpPort,
      hookUrl: `http://${hookHost.includes(':') ? `[${hookHost}]` : hookHost}:${config.port}${RTMP_HOOK_PREFIX}/${token}`,
      logger,
      onCrash: () => this.rtmpFrontCrashed(),
    });
    this.rtmpGate = new RtmpGate({ lookup: (key) => this.rtmpStream(key), notify: (id, event) => this.notifyRtmp(id, event), logger });
    routes.add(`${RTMP_HOOK_PREFIX}/${token}`, this.logger, this.rtmpGate.handle);
  }

  async onApplicationBootstrap(): Promise<void> {
    const size = Math.max(1, Math.min(this.config.ingestWorkers, os.availableParallelism()));
    for (let i = 0; i < size; i++) this.workers.push(this.spawn(i));
    this.unsubscribe = this.events.subscribe((event) => this.onEvent(event));
    const enabled = await this.streams.find({ where: { enabled: true } });
    for (const stream of enabled) this.enqueue(() => this.start(stream));
    await this.chain;
    this.logger.log(`${enabled.length} stream(s) ingesting on ${size} worker thread(s)`);
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe?.();
    await this.chain.catch(() => undefined);
    await Promise.all([...this.running.keys()].map((id) => this.stop(id, false)));
    // Taken out of the pool first, so their exit is not mistaken for a crash to recover from.
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
    if (this.rtmpRetry) clearInterval(this.rtmpRetry);
    await this.rtmpFront.stop();
  }

  /** Hears each status tick of every running stream (about once a second); returns the function that stops it. */
  onStatus(listener: (id: string, key: string, status: IngestStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Latest status of a stream's ingest; null when it is not running here. */
  status(id: string): IngestStatus | null {
    return this.statuses.get(id) ?? null;
  }

  /** A running stream by id or key, from memory: live status is served even while the database stalls. */
  runningStream(ref: string): { id: string; key: string; status: IngestStatus } | null {
    return this.allStatuses().find((s) => s.id === ref.toLowerCase() || s.key === ref) ?? null;
  }

  allStatuses(): { id: string; key: string; status: IngestStatus }[] {
    return [...this.running.entries()].flatMap(([id, r]) => {
      const status = this.statuses.get(id);
      return status ? [{ id, key: r.config.key, status }] : [];
    });
  }

  private onEvent(event: ConfigEvent): void {
    if (event.entity !== 'stream') return;
    this.enqueue(async () => {
      if (event.op === 'deleted') {
        if (this.running.has(event.id)) await this.stop(event.id, true);
        else await removeStreamFiles(this.config.mediaRoot, event.ref);
        return;
      }
      const stream = await this.streams.findOne({ where: { id: event.id } });
      if (!stream || !stream.enabled) await this.stop(event.id, false);
      else await this.start(stream);
    });
  }

  /** Changes are applied one at a time, in the order they were committed. */
  private enqueue(work: () => Promise<void>): void {
    this.chain = this.chain.then(work).catch((error: Error) => this.logger.error(error.stack ?? error.message));
  }

  private async start(stream: StreamEntity): Promise<void> {
    const config = toIngestConfig(stream);
    const current = this.running.get(stream.id);
    if (current && JSON.stringify(current.config) === JSON.stringify(config)) return;
    // A moved port, a new key or a new FEC shape: stop, then start on the same worker.
    if (current) await this.stop(stream.id, current.config.key !== config.key, config);
    const worker = current?.worker ?? this.leastLoaded();
    this.running.set(stream.id, { config, worker });
    this.post(worker, { type: 'start', stream: config });
    if (config.protocol === 'rtmp') await this.startRtmp(stream.id);
  }

  /**
   * An RTMP stream started: the front must run, and a publisher still in from before a restart
   * of the ingest (a changed segment length) is read again at once.
   */
  private async startRtmp(id: string): Promise<void> {
    await this.ensureRtmpFront();
    this.rtmpRetry ??= setInterval(() => void this.ensureRtmpFront(), RTMP_FRONT_RETRY_MS).unref();
    const publisher = this.rtmpGate.publisherOf(id);
    if (publisher) this.notifyRtmp(id, { kind: 'publish', address: publisher });
  }

  private async ensureRtmpFront(): Promise<void> {
    if (this.rtmpFront.running) return;
    const rtmp = [...this.running.entries()].filter(([, r]) => r.config.protocol === 'rtmp');
    try {
      await this.rtmpFront.ensureStarted();
      this.rtmpGate.forgetAll();
      for (const [id] of rtmp) this.notifyRtmp(id, { kind: 'front', error: null });
    } catch (error) {
      const message = `the RTMP front cannot run on TCP ${this.config.rtmpPort}: ${(error as Error).message}`;
      this.logger.error(message);
      for (const [id] of rtmp) this.notifyRtmp(id, { kind: 'front', error: message });
    }
  }

  /** The front died: its publishers are gone (they reconnect to the restarted one), so are the readers' sources. */
  private rtmpFrontCrashed(): void {
    for (const [id, r] of this.running) {
      if (r.config.protocol === 'rtmp' && this.rtmpGate.publisherOf(id)) this.notifyRtmp(id, { kind: 'unpublish' });
    }
    this.rtmpGate.forgetAll();
  }

  /** An RTMP stream stopped or changed: a publisher that no longer fits is disconnected. */
  private async stopRtmp(config: IngestStreamConfig, next: IngestStreamConfig | null): Promise<void> {
    const keeps = next && next.protocol === 'rtmp' && next.key === config.key && next.rtmp?.secretSha256 === config.rtmp?.secretSha256;
    if (!keeps) {
      this.rtmpGate.forget(config.id);
      if (await this.rtmpFront.dropPublisher(config.key)) this.logger.log(`RTMP publisher of "${config.key}" disconnected (stream changed or stopped)`);
    }
    if ([...this.running.values()].some((r) => r.config.protocol === 'rtmp') || next?.protocol === 'rtmp') return;
    if (this.rtmpRetry) clearInterval(this.rtmpRetry);
    this.rtmpRetry = null;
    await this.rtmpFront.stop();
  }

  private rtmpStream(key: string): RtmpStreamRef | null {
    for (const [id, r] of this.running) {
      if (r.config.key === key && r.config.rtmp) return { id, key, secretSha256: r.config.rtmp.secretSha256, allowedSources: r.config.allowedSources };
    }
    return null;
  }

  private notifyRtmp(id: string, event: RtmpEvent): void {
    const running = this.running.get(id);
    if (running) this.post(running.worker, { type: 'rtmp', id, event });
  }

  /** `next`: the config the stream is restarted with, if it is. */
  private async stop(id: string, removeFiles: boolean, next: IngestStreamConfig | null = null): Promise<void> {
    const running = this.running.get(id);
    if (!running) return;
    this.running.delete(id);
    if (running.config.protocol === 'rtmp') await this.stopRtmp(running.config, next);
    this.positions.forget(running.config.key);
    const stopped = new Promise<void>((resolve) => {
      this.stopWaiters.set(id, resolve);
      setTimeout(resolve, STOP_TIMEOUT_MS).unref();
    });
    this.post(running.worker, { type: 'stop', id, removeFiles });
    await stopped;
    this.stopWaiters.delete(id);
    this.statuses.delete(id);
    this.pictures.report(id, null);
  }

  private leastLoaded(): Worker {
    const load = new Map(this.workers.map((w) => [w, 0]));
    for (const r of this.running.values()) load.set(r.worker, (load.get(r.worker) ?? 0) + 1);
    return [...load.entries()].sort((a, b) => a[1] - b[1])[0][0];
  }

  private post(worker: Worker, message: ToWorker): void {
    worker.postMessage(message);
  }

  private spawn(index: number): Worker {
    const worker = new Worker(new URL('./ingest-worker.js', import.meta.url), {
      workerData: {
        mediaRoot: this.config.mediaRoot,
        qualityProbeSeconds: this.config.qualityProbeSeconds,
        rtmpPlayBase: this.rtmpFront.playBase,
      } satisfies IngestHost,
      name: `ingest-${index}`,
    });
    worker.on('message', (message: FromWorker) => this.onWorkerMessage(message));
    worker.on('error', (error) => this.logger.error(`ingest worker ${index} failed: ${error.stack ?? error.message}`));
    worker.on('exit', (code) => {
      if (code !== 0 && this.workers.includes(worker)) this.replace(worker, index, code);
    });
    worker.unref();
    return worker;
  }

  /** A crashed worker is replaced and its streams are started again on the new one. */
  private replace(dead: Worker, index: number, code: number): void {
    this.logger.error(`ingest worker ${index} exited with code ${code}; restarting its streams`);
    const fresh = this.spawn(index);
    this.workers[this.workers.indexOf(dead)] = fresh;
    for (const r of this.running.values()) {
      if (r.worker !== dead) continue;
      r.worker = fresh;
      this.post(fresh, { type: 'start', stream: r.config });
    }
  }

  private onWorkerMessage(message: FromWorker): void {
    if (message.type === 'status') {
      if (!this.running.has(message.id)) return;
      this.statuses.set(message.id, message.status);
      const key = this.running.get(message.id)!.config.key;
      for (const listener of this.statusListeners) listener(message.id, key, message.status);
      const { width, height } = message.status.codecs;
      this.pictures.report(message.id, width && height ? { width, height } : null);
    } else if (message.type === 'stopped') {
      this.stopWaiters.get(message.id)?.();
    } else if (message.type === 'playlist') {
      if (this.running.get(message.id)?.config.key === message.key) this.positions.report(message.key, message.variant, message.update);
    } else {
      this.logger[message.level](message.message);
    }
  }
}

/** A deleted stream's files go; the key is checked again so a bad event can never point elsewhere. */
async function removeStreamFiles(mediaRoot: string, key: string): Promise<void> {
  if (!STREAM_KEY_PATTERN.test(key)) return;
  await rm(path.join(mediaRoot, LIVE_DIR, key), { recursive: true, force: true });
}

export function toIngestConfig(stream: StreamEntity): IngestStreamConfig {
  const { ingest } = settingsOf(stream);
  return {
    id: stream.id,
    key: stream.key,
    protocol: stream.ingestProtocol,
    port: stream.ingestPort,
    fec: stream.fecColumns !== null && stream.fecRows !== null ? { columns: stream.fecColumns, rows: stream.fecRows } : null,
    allowedSources: stream.allowedSources,
    srt: ingest.srt,
    rtmp: ingest.rtmp,
    rist: ingest.rist,
    segmentSeconds: stream.packaging.segmentSeconds,
    windowSegments: stream.packaging.windowSegments,
    dvrSeconds: stream.packaging.dvrSeconds,
    partSeconds: stream.packaging.lowLatency ? stream.packaging.partSeconds : null,
    renditions: stream.renditions.map((r) => ({
      name: r.name,
      width: r.width,
      height: r.height,
      videoKbps: r.videoKbps,
      frameRate: r.frameRate,
      minSsim: r.minSsim,
    })),
  };
}
