// The one in-process stream of what happens, for the Server-Sent Events endpoint (and through it
// the console): each stream's status tick, every configuration change heard over NOTIFY (from
// any control-plane instance), viewers from the edges' CMCD, and node health. Typed, small events; a subscriber that throws does not stop the rest.
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigEventsService } from '../events/config-events.service.js';
import type { LiveEvent } from './live-event.js';

export type { LiveEvent };

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
