// The one in-process stream of what happens, for the Server-Sent Events endpoint (and through it
// the console): each stream's status tick, every configuration change heard over NOTIFY (from
// any control-plane instance), viewers from the edges' CMCD, and node health. Typed, small events; a subscriber that throws does not stop the rest.
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { ConfigEvent } from '../events/config-event.js';
import { ConfigEventsService } from '../events/config-events.service.js';
import type { StatusSample } from './status-history.js';

export type LiveEvent =
  /** A stream's ingest figures, about once a second while it runs. */
  | { type: 'status'; id: string; key: string; sample: StatusSample }
  /** A stream, node or signing key was created, updated or deleted. */
  | ({ type: 'config' } & ConfigEvent)
  /** A stream's viewers as the edges' CMCD tells (after each pull of their logs, about every 2 s). */
  | {
      type: 'viewers';
      key: string;
      t: number;
      viewers: number;
      bufferLengthMs: number | null;
      measuredThroughputKbps: number | null;
      requestedBitrateKbps: number | null;
    }
  /** A node's health probe answered (or did not): every probe round, for every enabled node. */
  | { type: 'node'; id: string; name: string; role: string; status: string; activeConnections: number | null; t: number };

export type LiveEventListener = (event: LiveEvent) => void;

@Injectable()
export class LiveEventsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('live-events');
  private readonly listeners = new Set<LiveEventListener>();
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly configEvents: ConfigEventsService) {}

  onModuleInit(): void {
    this.unsubscribe = this.configEvents.subscribe((event) => this.publish({ type: 'config', ...event }));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** Registers a listener; returns the function that removes it. */
  subscribe(listener: LiveEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  publish(event: LiveEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error(`a live-event subscriber failed: ${(error as Error).message}`);
      }
    }
  }
}
