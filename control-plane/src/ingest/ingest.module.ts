import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StreamEntity } from '../streams/stream.entity.js';
import { LowLatencyModule } from '../low-latency/low-latency.module.js';
import { StreamsModule } from '../streams/streams.module.js';
import { IngestStatusController } from './ingest-status.controller.js';
import { IngestService } from './ingest.service.js';
import { IngestMetrics } from './ingest-metrics.js';

@Module({
  imports: [TypeOrmModule.forFeature([StreamEntity]), StreamsModule, LowLatencyModule],
  controllers: [IngestStatusController],
  providers: [IngestService, IngestMetrics],
  exports: [IngestService],
})
export class IngestModule {}
