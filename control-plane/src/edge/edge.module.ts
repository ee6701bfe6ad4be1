import { DynamicModule, Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { NodesModule } from '../nodes/nodes.module.js';
import { StreamsModule } from '../streams/streams.module.js';
import { EdgeController } from './edge.controller.js';
import { EdgeConfigService } from './edge-config.service.js';
import { NodeHealthService } from './health/node-health.service.js';
import { LocalEdgeService } from './local-edge.service.js';
import { LocalOriginService } from './local-origin.service.js';
import { PurgeService } from './purge.service.js';
import { SigningController } from './signing/signing.controller.js';
import { SigningKeysService } from './signing/signing-keys.service.js';
import { SteeringController } from './steering/steering.controller.js';
import { SteeringService } from './steering/steering.service.js';
import { ViewersService } from './viewers/viewers.service.js';

const RUNTIME = 'edge:runtime';
const LOCAL_ORIGIN_RUNS = 'edge:local-origin';

/**
 * The delivery tier: the local origin nginx (with `localOrigin`), signed URLs, edge nginx configs from the nodes table (and the local edge),
 * node health, Content Steering, purge and viewer metrics. With `runtime` this control plane
 * also does the work in the background: runs the local edge, probes nodes, keeps the steered
 * masters in MEDIA_ROOT current and reads viewer data; without it, it only serves the API.
 */
@Module({})
export class EdgeModule implements OnApplicationBootstrap {
  constructor(
    @Inject(RUNTIME) private readonly runtime: boolean,
    @Inject(LOCAL_ORIGIN_RUNS) private readonly localOriginRuns: boolean,
    private readonly localOrigin: LocalOriginService,
    private readonly localEdge: LocalEdgeService,
    private readonly health: NodeHealthService,
    private readonly steering: SteeringService,
    private readonly viewers: ViewersService,
  ) {}

  static register(options: { runtime: boolean; localOrigin: boolean }): DynamicModule {
    return {
      module: EdgeModule,
      imports: [StreamsModule, NodesModule, AuditModule],
      controllers: [SigningController, SteeringController, EdgeController],
      providers: [
        { provide: RUNTIME, useValue: options.runtime },
        { provide: LOCAL_ORIGIN_RUNS, useValue: options.localOrigin },
        LocalOriginService,
        SigningKeysService,
        EdgeConfigService,
        LocalEdgeService,
        NodeHealthService,
        SteeringService,
        PurgeService,
        ViewersService,
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.localOriginRuns) await this.localOrigin.start();
    if (!this.runtime) return;
    await this.localEdge.start();
    this.health.start();
    this.steering.startWritingMasters();
    this.viewers.start();
  }
}
