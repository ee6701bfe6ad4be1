import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StreamEntity } from '../streams/stream.entity.js';
import { StreamsModule } from '../streams/streams.module.js';
import { IngestStatusController } from './ingest-status.controller.js';
import { IngestService } from './ingest.service.js';
import { MetricsController } from './metrics.controller.js';

@Module({
  imports: [TypeOrmModule.forFeature([StreamEntity]), StreamsModule],
  controllers: [IngestStatusController, MetricsController],
  providers: [IngestService],
  exports: [IngestService],
})
export class IngestModule {}
