import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { BlockingMiddleware } from './blocking.middleware.js';
import { BlockingWaits } from './blocking-waits.js';
import { BLOCKING_PREFIX } from './ll-routes.js';
import { PlaylistPositions } from './playlist-positions.js';

/** LL-HLS delivery: where each playlist has got to, and the requests waiting on it. */
@Module({
  providers: [PlaylistPositions, BlockingWaits],
  exports: [PlaylistPositions, BlockingWaits],
})
export class LowLatencyModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(BlockingMiddleware).forRoutes({ path: `${BLOCKING_PREFIX.slice(1)}/*path`, method: RequestMethod.GET });
  }
}
