// What GET /api/v1/events sends, one definition for the control plane and the web console (type
// imports only, so the browser type-check can take it).
import type { ConfigEvent } from '../events/config-event.js';
import type { StatusSample } from './status-sample.js';

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
