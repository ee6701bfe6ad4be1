import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { ApiError } from '../../common/api-error.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.tokens.js';
import { ConfigEventsService } from '../../events/config-events.service.js';
import { writeFileAtomic } from '../../media/output/atomic-file.js';
import { NodeEntity } from '../../nodes/node.entity.js';
import { STREAM_KEY_PATTERN } from '../../streams/stream-limits.js';
import { StreamEntity } from '../../streams/stream.entity.js';
import { enabledEdges } from '../edge-nodes.js';
import { Pathway, steeredMaster } from './steered-master.js';
import { pathwayPriority } from './pathway-priority.js';
import { LIVE_DIR, MASTER_PLAYLIST, STEERED_MASTER } from '../../media/hls-layout.js';

/** How often origin masters are looked at for changes (a new stream, new codec parameters). */
const MASTER_SCAN_MS = 1000;

export interface SteeringManifest {
  VERSION: 1;
  TTL: number;
  'RELOAD-URI': string;
  'PATHWAY-PRIORITY': string[];
}

/**
 * HLS Content Steering: one pathway per enabled edge. Writes each stream's steered master next to
 * the origin's (edges serve it as /live/<key>/index.m3u8) and answers steering manifest requests
 * with the pathways ordered by health, weight, load and the client's current pathway.
 */
@Injectable()
export class SteeringService implements OnModuleDestroy {
  private readonly logger = new Logger('steering');
  /** Per stream: what its steered master was last written from. */
  private readonly written = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private scanning: Promise<void> = Promise.resolve();
  /** False once a look found no enabled edge: nothing to write until a node changes. */
  private edgesExist: boolean | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: ConfigEventsService,
  ) {}

  /** Starts keeping steered masters current; only where this control plane writes MEDIA_ROOT. */
  startWritingMasters(): void {
    this.unsubscribe = this.events.subscribe((event) => {
      if (event.entity === 'node') this.edgesExist = null;
    });
    this.timer = setInterval(() => {
      this.scanning = this.scanning.then(() => this.writeSteeredMasters()).catch((error: Error) => this.logger.warn(`steered masters: ${error.message}`));
    }, MASTER_SCAN_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    await this.scanning;
  }

  async manifest(streamKey: string, currentPathway: string | null): Promise<SteeringManifest> {
    if (!STREAM_KEY_PATTERN.test(streamKey) || !(await this.dataSource.manager.exists(StreamEntity, { where: { key: streamKey } }))) {
      throw ApiError.notFound('stream', streamKey);
    }
    return {
      VERSION: 1,
      TTL: this.config.steeringTtlSeconds,
      'RELOAD-URI': this.steeringPath(streamKey),
      'PATHWAY-PRIORITY': pathwayPriority(await this.edges(), currentPathway),
    };
  }

  /**
   * Rewrites steered.m3u8 where the origin's master or the set of edges changed. Without edges
   * nobody serves steered masters, so a system without edges spends nothing here.
   */
  async writeSteeredMasters(): Promise<void> {
    if (this.edgesExist === false) return;
    const edges = await this.edges();
    this.edgesExist = edges.length > 0;
    if (!this.edgesExist) return;
    const live = path.join(this.config.mediaRoot, LIVE_DIR);
    const keys = (await readdir(live).catch(() => [] as string[])).filter((k) => STREAM_KEY_PATTERN.test(k));
    const pathways: Pathway[] = edges.map((e) => ({ id: e.name, baseUrl: e.baseUrl }));
    const first = pathwayPriority(edges, null)[0];
    for (const key of keys) {
      const master = path.join(live, key, MASTER_PLAYLIST);
      const modified = await stat(master).then(
        (s) => s.mtimeMs,
        () => null,
      );
      if (modified === null) continue;
      const source = `${modified}|${JSON.stringify(pathways)}|${first}`;
      if (this.written.get(key) === source) continue;
      let text: string;
      try {
        text = steeredMaster(await readFile(master, 'utf8'), key, pathways, { serverUri: this.steeringUrl(key), pathwayId: first });
      } catch (error) {
        // A value no playlist may hold (PlaylistValueError) fails this stream's copy, not the others'.
        // Logged once: it is tried again when the master or the edges change.
        this.logger.warn(`steered master for ${key} not written: ${(error as Error).message}`);
        this.written.set(key, source);
        continue;
      }
      // The stream may be deleted meanwhile: its directory is gone and so is the need for the file.
      await writeFileAtomic(path.join(live, key, STEERED_MASTER), text).then(
        () => this.written.set(key, source),
        () => undefined,
      );
    }
  }

  private async edges(): Promise<NodeEntity[]> {
    return enabledEdges(this.dataSource.manager);
  }

  private steeringPath(streamKey: string): string {
    return `/steering/${streamKey}.json`;
  }

  /** Absolute: players fetch it from the control plane, whichever edge served the master. */
  private steeringUrl(streamKey: string): string {
    return `http://${this.config.publicHost}:${this.config.port}${this.steeringPath(streamKey)}`;
  }
}
