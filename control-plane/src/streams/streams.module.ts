import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { StreamsController } from './streams.controller.js';
import { IngestPortEntity, StreamEntity } from './stream.entity.js';
import { SourcePictures } from './source-pictures.js';
import { StreamsService } from './streams.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([StreamEntity, IngestPortEntity]), AuditModule],
  controllers: [StreamsController],
  providers: [StreamsService, SourcePictures],
  exports: [StreamsService, SourcePictures],
})
export class StreamsModule {}
