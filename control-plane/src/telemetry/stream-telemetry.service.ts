import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigEventsService } from '../events/config-events.service.js';
import type { IngestStatus } from '../ingest/ingest-protocol.js';
import { IngestService } from '../ingest/ingest.service.js';
import { LiveEventsService } from './live-events.service.js';
import { sampleOf, StatusHistory, StatusSample, ViewerFigures } from './status-history.js';

/** Viewer figures older than this (edges gone quiet) are left out of samples. */
const VIEWERS_FRESH_MS = 10_000;

/** Each status tick of a stream goes into its history and out as a live event. */
@Injectable()
export class StreamTelemetry implements OnModuleInit, OnModuleDestroy {
  private readonly history = new StatusHistory();
  private readonly viewers = new Map<string, ViewerFigures & { t: number }>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly live: LiveEventsService,
    private readonly configEvents: ConfigEventsService,
    private readonly ingest: IngestService,
  ) {}

  onModuleInit(): void {
    this.unsubscribe.push(
      this.ingest.onStatus((id, key, status) => this.record(id, key, status)),
      this.live.subscribe((event) => {
        if (event.type === 'viewers') this.viewers.set(event.key, event);
      }),
      this.configEvents.subscribe((event) => {
        if (event.entity === 'stream' && event.op === 'deleted') {
          this.history.forget(event.id);
          this.viewers.delete(event.ref);
        }
      }),
    );
  }

  onModuleDestroy(): void {
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
  }

  record(id: string, key: string, status: IngestStatus, now = Date.now()): void {
    const viewers = this.viewers.get(key);
    const sample = sampleOf(status, now, viewers && now - viewers.t <= VIEWERS_FRESH_MS ? viewers : null);
    this.history.record(id, sample);
    this.live.publish({ type: 'status', id, key, sample });
  }

  samples(id: string, since?: number): StatusSample[] {
    return this.history.samples(id, since);
  }
}
