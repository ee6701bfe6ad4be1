import type { EntityManager } from 'typeorm';
import { NodeEntity } from '../nodes/node.entity.js';

/**
 * Every enabled edge, by name: the pathways of steering, the targets of purges and log pulls.
 * `withControlToken` adds the secret the control plane's own requests to an edge carry.
 */
export function enabledEdges(manager: EntityManager, options: { withControlToken?: boolean } = {}): Promise<NodeEntity[]> {
  const query = manager.createQueryBuilder(NodeEntity, 'node').where('node.role = :role AND node.enabled', { role: 'edge' }).orderBy('node.name', 'ASC');
  if (options.withControlToken) query.addSelect('node.controlToken');
  return query.getMany();
}

/** Where the control plane talks to a node: its internal URL when it has one. */
export function controlUrlOf(node: Pick<NodeEntity, 'baseUrl' | 'internalUrl'>): string {
  return (node.internalUrl ?? node.baseUrl).replace(/\/+$/, '');
}
