import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StreamEntity } from '../streams/stream.entity.js';
import { StreamsModule } from '../streams/streams.module.js';
import { IngestStatusController } from './ingest-status.controller.js';
import { IngestService } from './ingest.service.js';
import { IngestMetrics } from './ingest-metrics.js';

@Module({
  imports: [TypeOrmModule.forFeature([StreamEntity]), StreamsModule],
  controllers: [IngestStatusController],
  providers: [IngestService, IngestMetrics],
  exports: [IngestService],
})
export class IngestModule {}
