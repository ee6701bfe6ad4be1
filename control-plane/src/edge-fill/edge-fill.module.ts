import { Module } from '@nestjs/common';
import { LowLatencyModule } from '../low-latency/low-latency.module.js';
import { EdgeBlockingHandler } from './edge-blocking-handler.js';
import { EdgeDirectory } from './edge-directory.js';
import { EdgeFills } from './edge-fills.js';

/** LL-HLS through the edges: their blocking requests wait here, and their caches are filled before the viewers wake. */
@Module({
  imports: [LowLatencyModule],
  providers: [EdgeDirectory, EdgeFills, EdgeBlockingHandler],
})
export class EdgeFillModule {}
