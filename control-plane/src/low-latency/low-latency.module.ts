import { Module } from '@nestjs/common';
import { BlockingHandler } from './blocking-handler.js';
import { BlockingWaits } from './blocking-waits.js';
import { PlaylistPositions } from './playlist-positions.js';

/** LL-HLS delivery: where each playlist has got to, and the requests waiting on it. */
@Module({
  providers: [PlaylistPositions, BlockingWaits, BlockingHandler],
  exports: [PlaylistPositions, BlockingWaits],
})
export class LowLatencyModule {}
