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

export interface Sample {
  t: number;
  state: string;
  inputBitrate: number;
  packetsReceived: number;
  lost: number;
  recoveredByFec: number;
  unrecoverable: number;
  jitterMs: number;
  playoutDelayMs: number;
  segmentsWritten: number;
  viewers: number | null;
  viewerBufferMs: number | null;
  viewerThroughputKbps: number | null;
  rungSsim: Record<string, number | null> | null;
}

export interface IngestUrls {
  protocol: Protocol;
  url: string;
  ffmpeg: string;
  gstreamer: string;
  obs: { server: string; streamKey: string } | null;
  srtLiveTransmit: string | null;
  notes: string[];
}

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
