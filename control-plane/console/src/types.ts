// The API's shapes as far as the console uses them (control-plane/src/**/dto is the source).

export type Protocol = 'rtp' | 'udp' | 'srt' | 'rtmp' | 'rist';

export interface Stream {
  id: string;
  key: string;
  name: string;
  enabled: boolean;
  ingest: {
    protocol: Protocol;
    port: number | null;
    fec: { columns: number; rows: number } | null;
    allowedSources: string[];
    srt: { latencyMs: number; passphrase?: string } | null;
    rtmp: { secret?: string } | null;
    rist: { bufferMs: number } | null;
  };
  packaging: { segmentSeconds: number; windowSegments: number; lowLatency: boolean; partSeconds: number; dvrSeconds: number };
  renditions: { name: string; width: number; height: number; videoKbps: number }[];
  playback: { signedUrls: boolean };
  playbackPath: string;
  version: number;
  updatedAt: string;
}

// One definition with the control plane: the history sample and the ingest-urls answer.
export type { StatusSample as Sample } from '../../src/telemetry/status-sample.js';
export type { IngestUrls } from '../../src/streams/ingest-urls-shape.js';

export interface Node {
  id: string;
  name: string;
  role: 'origin' | 'edge';
  baseUrl: string;
  region: string | null;
  enabled: boolean;
  status: string;
  capacityMbps: number | null;
  activeConnections: number | null;
  configError: string | null;
  configAppliedAt: string | null;
  lastCheckedAt: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  diff: unknown;
}
