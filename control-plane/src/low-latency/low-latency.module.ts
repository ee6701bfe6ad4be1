import { Module } from '@nestjs/common';
import { BlockingController } from './blocking.controller.js';
import { PlaylistPositions } from './playlist-positions.js';

/** LL-HLS delivery: where each playlist has got to, and the requests waiting on it. */
@Module({
  controllers: [BlockingController],
  providers: [PlaylistPositions],
  exports: [PlaylistPositions],
})
export class LowLatencyModule {}
