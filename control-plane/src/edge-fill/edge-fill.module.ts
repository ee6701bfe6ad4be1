import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { EDGE_BLOCKING_PREFIX } from '../low-latency/ll-routes.js';
import { LowLatencyModule } from '../low-latency/low-latency.module.js';
import { EdgeBlockingMiddleware } from './edge-blocking.middleware.js';
import { EdgeDirectory } from './edge-directory.js';
import { EdgeFills } from './edge-fills.js';

/** LL-HLS through the edges: their blocking requests wait here, and their caches are filled before the viewers wake. */
@Module({
  imports: [LowLatencyModule],
  providers: [EdgeDirectory, EdgeFills],
})
export class EdgeFillModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(EdgeBlockingMiddleware).forRoutes({ path: `${EDGE_BLOCKING_PREFIX.slice(1)}/*path`, method: RequestMethod.GET });
  }
}
