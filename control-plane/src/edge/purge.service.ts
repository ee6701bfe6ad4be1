import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApiError, ErrorCode } from '../common/api-error.js';
import { NodeEntity } from '../nodes/node.entity.js';
import { StreamsService } from '../streams/streams.service.js';
import { PurgeResult } from './dto/edge.dto.js';
import { EdgeConfigService } from './edge-config.service.js';
import { controlUrlOf, enabledEdges } from './edge-nodes.js';

/** Purging walks the edge's cache directory; a big cache on a slow disk takes a while. */
const PURGE_TIMEOUT_MS = 30_000;

/** Removes cached objects from edges through their purge endpoint (njs, behind a per-node token). */
@Injectable()
export class PurgeService {
  private readonly logger = new Logger('purge');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly edgeConfig: EdgeConfigService,
    private readonly streams: StreamsService,
  ) {}

  /** One edge; 503 when it cannot be reached, so the caller knows nothing was removed. */
  async purgeNode(ref: string, stream: string | null): Promise<PurgeResult> {
    const result = await this.purge(await this.edgeConfig.edgeNode(ref), stream);
    if (result.error) throw new ApiError(ErrorCode.Unavailable, `purge on ${result.node} failed: ${result.error}`);
    return result;
  }

  /** One stream on every enabled edge; each edge's outcome is reported. */
  async purgeStream(ref: string): Promise<PurgeResult[]> {
    const stream = await this.streams.get(ref);
    const edges = await enabledEdges(this.dataSource.manager, { withControlToken: true });
    return Promise.all(edges.map((edge) => this.purge(edge, stream.key)));
  }

  private async purge(node: NodeEntity, stream: string | null): Promise<PurgeResult> {
    const url = `${controlUrlOf(node)}/_hls/purge${stream ? `?stream=${stream}` : ''}`;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'X-HLS-Control-Token': node.controlToken },
        signal: AbortSignal.timeout(PURGE_TIMEOUT_MS),
      });
      const body = (await response.json().catch(() => ({}))) as { removed?: number; error?: string };
      if (!response.ok || typeof body.removed !== 'number') return { node: node.name, stream, removed: null, error: body.error ?? `HTTP ${response.status}` };
      this.logger.log(`purged ${body.removed} objects${stream ? ` of ${stream}` : ''} from ${node.name}`);
      return { node: node.name, stream, removed: body.removed };
    } catch (error) {
      return { node: node.name, stream, removed: null, error: (error as Error).message };
    }
  }
}
