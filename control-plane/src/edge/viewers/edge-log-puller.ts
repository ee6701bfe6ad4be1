import type { NodeEntity } from '../../nodes/node.entity.js';
import { controlUrlOf } from '../edge-nodes.js';

/** A pull slower than this is abandoned; the next round tries again from the same offset. */
const PULL_TIMEOUT_MS = 3000;

export type EdgeForLogs = Pick<NodeEntity, 'id' | 'name' | 'baseUrl' | 'internalUrl' | 'controlToken'>;

/**
 * Follows every edge's access log over HTTP (GET /_hls/access-log?offset=N on the edge, answered
 * by njs, with the node's token), remembering per edge where it got to. The same path serves the
 * local edge and remote ones, so viewer metrics cover the whole tier.
 */
export class EdgeLogPuller {
  private readonly offsets = new Map<string, number>();

  /**
   * The complete lines an edge logged since the last pull; an unreachable edge gives none. The
   * first pull of an edge starts at the end of its log: what it logged before this control plane
   * knew it is history, not current viewers (and could be gigabytes).
   */
  async pull(edge: EdgeForLogs): Promise<{ lines: string[]; error: string | null }> {
    const offset = this.offsets.get(edge.id) ?? 'end';
    try {
      const response = await fetch(`${controlUrlOf(edge)}/_hls/access-log?offset=${offset}`, {
        headers: { 'X-HLS-Control-Token': edge.controlToken },
        signal: AbortSignal.timeout(PULL_TIMEOUT_MS),
      });
      const text = await response.text();
      const next = Number(response.headers.get('x-log-next'));
      if (!response.ok || !Number.isFinite(next)) return { lines: [], error: `HTTP ${response.status}` };
      this.offsets.set(edge.id, next);
      return { lines: text.split('\n').filter((l) => l !== ''), error: null };
    } catch (error) {
      return { lines: [], error: (error as Error).message };
    }
  }

  forget(edgeId: string): void {
    this.offsets.delete(edgeId);
  }
}
