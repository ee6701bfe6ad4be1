import type { Logger } from '@nestjs/common';
import type { ConfigOutcome } from '../nginx/managed-nginx.js';
import type { NginxLogger } from '../nginx/nginx-process.js';
import type { NodesService } from '../nodes/nodes.service.js';

/** nginx's messages under the service's own logger prefix. */
export function nginxLogger(logger: Logger): NginxLogger {
  return { log: (m) => logger.log(m), warn: (m) => logger.warn(m), error: (m) => logger.error(m) };
}

/** Stores what a local nginx was seen running on its node row; a database hiccup is logged, not thrown. */
export async function recordOutcome(nodes: NodesService, name: string, outcome: ConfigOutcome, logger: Logger): Promise<void> {
  await nodes
    .recordConfigOutcome(name, outcome.error)
    .catch((failure: Error) => logger.warn(`could not record the config outcome of ${name}: ${failure.message}`));
}
