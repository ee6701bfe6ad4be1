import type { NodeStatus } from '../../nodes/node.entity.js';

/** What steering knows about an edge (one pathway per edge, named after the node). */
export interface PathwayCandidate {
  name: string;
  status: NodeStatus;
  weight: number;
  capacityMbps: number;
  activeConnections: number | null;
}

/**
 * A viewer's share of an edge's capacity, to turn connection counts into load: 5 Mbit/s is a
 * 1080p rendition with headroom. Load-aware ordering only needs the right order of magnitude.
 */
const MBPS_PER_CONNECTION = 5;
/** The client's current pathway wins a near-tie, so players are not moved back and forth. */
const STICKINESS = 1.1;

/**
 * PATHWAY-PRIORITY for one client: healthy edges only (unknown ones after up ones), each scored
 * by weight times its free capacity, the client's current pathway favoured on near-ties. A down
 * edge drops out; weight 0 drains one. If nothing is healthy, every enabled edge is listed, so
 * players keep trying rather than being told there is nowhere to go.
 */
export function pathwayPriority(candidates: PathwayCandidate[], currentPathway: string | null): string[] {
  const healthy = candidates.filter((c) => c.status !== 'down' && c.weight > 0);
  const pool = healthy.length > 0 ? healthy : candidates;
  const rank = (c: PathwayCandidate): number => (c.status === 'up' ? 0 : c.status === 'unknown' ? 1 : 2);
  const score = (c: PathwayCandidate): number => {
    const capacity = Math.max(1, c.capacityMbps / MBPS_PER_CONNECTION);
    const free = Math.max(0.01, 1 - (c.activeConnections ?? 0) / capacity);
    return c.weight * free * (c.name === currentPathway ? STICKINESS : 1);
  };
  return [...pool].sort((a, b) => rank(a) - rank(b) || score(b) - score(a) || a.name.localeCompare(b.name)).map((c) => c.name);
}

/** hls.js sends `_HLS_pathway=edge-a`, the draft `_HLS_pathway="edge-a"`: both are accepted. */
export function pathwayParameter(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const value = raw.replace(/^"(.*)"$/, '$1');
  return value === '' ? null : value;
}
