import type { NodesService } from '../nodes/nodes.service.js';
import type { NodeRole } from '../nodes/node.entity.js';
import { systemPrincipal } from '../common/principal.js';
import { ApiError, ErrorCode } from '../common/api-error.js';

/** Names of the nodes the control plane runs itself in one-machine mode. */
export const LOCAL_ORIGIN = 'local-origin';
export const LOCAL_EDGE = 'local-edge';

/**
 * Makes sure a node the control plane runs itself is in the nodes table with its current URL.
 * An operator's changes (weight, region, enabled) are kept: only the URL follows the config.
 */
export async function registerLocalNode(nodes: NodesService, name: string, role: NodeRole, baseUrl: string): Promise<void> {
  const principal = systemPrincipal('one-machine mode');
  try {
    const node = await nodes.get(name);
    if (node.baseUrl !== baseUrl || node.role !== role) await nodes.update(name, { baseUrl, role }, undefined, principal);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === ErrorCode.NotFound)) throw error;
    await nodes.create({ name, role, baseUrl, region: 'local' }, principal).catch((raced: unknown) => {
      // Another control-plane instance registered it first: that is the outcome we wanted.
      if (!(raced instanceof ApiError && raced.code === ErrorCode.Conflict)) throw raced;
    });
  }
}
