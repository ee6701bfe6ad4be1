import { Module } from '@nestjs/common';
import { BlockingController } from './blocking.controller.js';
import { BlockingWaits } from './blocking-waits.js';
import { PlaylistPositions } from './playlist-positions.js';

/** LL-HLS delivery: where each playlist has got to, and the requests waiting on it. */
@Module({
  controllers: [BlockingController],
  providers: [PlaylistPositions, BlockingWaits],
  exports: [PlaylistPositions, BlockingWaits],
})
export class LowLatencyModule {}
