import { LiveEventsService } from '../../telemetry/live-events.service.js';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.tokens.js';
import type { NodeEntity } from '../../nodes/node.entity.js';
import { NodesService } from '../../nodes/nodes.service.js';
import { controlUrlOf } from '../edge-nodes.js';
import { activeConnectionsOf, HealthState, nextHealth } from './health-hysteresis.js';

/** A probe slower than this counts as a failure: a player would not wait for that edge either. */
const PROBE_TIMEOUT_MS = 1500;

/**
 * Probes every enabled node (GET /healthz, and /nginx_status for its load) on an interval and
 * records status, last check and connections through the nodes domain, where steering reads them. Each
 * control-plane instance probes on its own; they write the same facts.
 */
@Injectable()
export class NodeHealthService implements OnModuleDestroy {
  private readonly logger = new Logger('node-health');
  private readonly states = new Map<string, HealthState>();
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> = Promise.resolve();

  constructor(
    private readonly nodes: NodesService,
    private readonly live: LiveEventsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.round = this.round.then(() => this.checkAll()).catch((error: Error) => this.logger.warn(`health round failed: ${error.message}`));
    }, this.config.healthCheckIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.round;
  }

  async checkAll(): Promise<void> {
    const nodes = await this.nodes.enabledNodes();
    await Promise.all(nodes.map((node) => this.check(node)));
  }

  private async check(node: NodeEntity): Promise<void> {
    const base = controlUrlOf(node);
    const ok = await probe(`${base}/healthz`);
    const connections = ok ? activeConnectionsOf(await text(`${base}/nginx_status`)) : null;
    const before = this.states.get(node.id) ?? { status: node.status, streak: 0 };
    const after = nextHealth(before, ok);
    this.states.set(node.id, after);
    if (after.status !== before.status) this.logger.log(`${node.role} ${node.name} is ${after.status} (${ok ? 'answered' : 'no answer from'} ${base}/healthz)`);
    await this.nodes.recordHealth(node.id, after.status, connections);
    this.live.publish({ type: 'node', id: node.id, name: node.name, role: node.role, status: after.status, activeConnections: connections, t: Date.now() });
  }
}

async function probe(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

async function text(url: string): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    return response.ok ? await response.text() : '';
  } catch {
    return '';
  }
}
