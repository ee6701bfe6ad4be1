import type { EntityManager } from 'typeorm';

/** The PostgreSQL channel on which configuration changes are announced. */
export const CONFIG_CHANNEL = 'hls_config';

/** What changed: nginx configs depend on all three; ingest only on streams. */
export type ConfigEntity = 'stream' | 'node' | 'signing-key';
const CONFIG_ENTITIES: readonly string[] = ['stream', 'node', 'signing-key'];

/**
 * What a NOTIFY carries. Small on purpose (NOTIFY payloads are limited to 8000 bytes): listeners
 * re-read the row they care about, so they always act on committed, current state.
 */
export interface ConfigEvent {
  entity: ConfigEntity;
  op: 'created' | 'updated' | 'deleted';
  id: string;
  /** Stream key, node name or key id, so listeners can log and clean up after a delete. */
  ref: string;
  /** Row version after the change; 0 for deletes. */
  version: number;
}

/**
 * Queues the event in the caller's transaction: PostgreSQL delivers it on commit and drops it on
 * rollback, so nobody hears of a change that did not happen.
 */
export async function publishConfigEvent(manager: EntityManager, event: ConfigEvent): Promise<void> {
  await manager.query('SELECT pg_notify($1, $2)', [CONFIG_CHANNEL, JSON.stringify(event)]);
}

export function parseConfigEvent(payload: string | undefined): ConfigEvent | null {
  if (!payload) return null;
  try {
    const event = JSON.parse(payload) as ConfigEvent;
    if (CONFIG_ENTITIES.includes(event.entity) && typeof event.id === 'string') return event;
  } catch {
    // fall through: a foreign or corrupt payload on our channel is ignored, not fatal
  }
  return null;
}
