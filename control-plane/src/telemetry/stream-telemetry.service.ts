import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigEventsService } from '../events/config-events.service.js';
import type { IngestStatus } from '../ingest/ingest-protocol.js';
import { IngestService } from '../ingest/ingest.service.js';
import { LiveEventsService } from './live-events.service.js';
import { sampleOf, StatusHistory, StatusSample } from './status-history.js';

/** Each status tick of a stream goes into its history and out as a live event. */
@Injectable()
export class StreamTelemetry implements OnModuleInit, OnModuleDestroy {
  private readonly history = new StatusHistory();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly live: LiveEventsService,
    private readonly configEvents: ConfigEventsService,
    private readonly ingest: IngestService,
  ) {}

  onModuleInit(): void {
    this.unsubscribe.push(
      this.ingest.onStatus((id, key, status) => this.record(id, key, status)),
      this.configEvents.subscribe((event) => {
        if (event.entity === 'stream' && event.op === 'deleted') this.history.forget(event.id);
      }),
    );
  }

  onModuleDestroy(): void {
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
  }

  record(id: string, key: string, status: IngestStatus, now = Date.now()): void {
    const sample = sampleOf(status, now);
    this.history.record(id, sample);
    this.live.publish({ type: 'status', id, key, sample });
  }

  samples(id: string, since?: number): StatusSample[] {
    return this.history.samples(id, since);
  }
}
