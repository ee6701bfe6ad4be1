import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module.js';
import { StreamsModule } from '../streams/streams.module.js';
import { HistoryController } from './history.controller.js';
import { StreamTelemetry } from './stream-telemetry.service.js';

/** Each running stream's recent figures, as history and live status events (only where ingest runs). */
@Module({ imports: [IngestModule, StreamsModule], controllers: [HistoryController], providers: [StreamTelemetry] })
export class StreamHistoryModule {}
