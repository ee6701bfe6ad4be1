import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import { DATABASE_URL } from '../config/config.tokens.js';
import { CONFIG_CHANNEL, ConfigEvent, parseConfigEvent } from './config-event.js';

export type ConfigEventListener = (event: ConfigEvent) => void;

/** Reconnect delays after the LISTEN connection drops: quick first, then at most every 5 s. */
const RECONNECT_DELAYS_MS = [100, 500, 1000, 2000, 5000];

/**
 * Holds one dedicated connection that LISTENs for configuration changes from any control-plane
 * instance and fans them out in-process (ingest, nginx rendering). Reconnects by itself; a
 * subscriber that throws is logged and does not stop the others.
 */
@Injectable()
export class ConfigEventsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('config-events');
  private readonly listeners = new Set<ConfigEventListener>();
  private client: pg.Client | null = null;
  private stopped = false;
  private failures = 0;
  private ready: Promise<void> = Promise.resolve();

  constructor(@Inject(DATABASE_URL) private readonly databaseUrl: string) {}

  async onModuleInit(): Promise<void> {
    this.ready = this.connect();
    await this.ready;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  /** Registers a listener; returns the function that removes it. */
  subscribe(listener: ConfigEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the LISTEN connection is up (tests and start-up ordering). */
  whenListening(): Promise<void> {
    return this.ready;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: 'hls-config-listener' });
    client.on('notification', (message) => {
      if (message.channel !== CONFIG_CHANNEL) return;
      const event = parseConfigEvent(message.payload);
      if (event) this.dispatch(event);
      else this.logger.warn(`ignored a malformed event on ${CONFIG_CHANNEL}`);
    });
    client.on('error', (error) => this.connectionLost(client, error));
    client.on('end', () => this.connectionLost(client, new Error('connection ended')));
    await client.connect();
    await client.query(`LISTEN ${CONFIG_CHANNEL}`);
    this.client = client;
    this.failures = 0;
  }

  private connectionLost(client: pg.Client, error: Error): void {
    // Only the live connection counts: errors of a client being replaced or closed are expected.
    if (this.stopped || this.client !== client) return;
    this.client = null;
    client.end().catch(() => undefined);
    this.scheduleReconnect(error.message);
  }

  private scheduleReconnect(reason: string): void {
    if (this.stopped) return;
    const delay = RECONNECT_DELAYS_MS[Math.min(this.failures++, RECONNECT_DELAYS_MS.length - 1)];
    this.logger.warn(`LISTEN connection lost (${reason}); reconnecting in ${delay} ms`);
    setTimeout(() => {
      if (this.stopped) return;
      this.ready = this.connect().catch((error: Error) => this.scheduleReconnect(error.message));
    }, delay).unref();
  }

  private dispatch(event: ConfigEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error(`a ${event.entity} ${event.op} listener failed: ${(error as Error).message}`);
      }
    }
  }
}
