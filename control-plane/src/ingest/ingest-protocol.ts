// Messages between the IngestService (main thread) and its worker threads.
import type { PlaylistUpdate } from '../media/output/live-output.js';
import type { LadderRung, LadderStatus } from '../media/transcode/ladder.js';
import type { IngestProtocol } from '../streams/stream-limits.js';
import type { RtmpEvent } from './rtmp/rtmp-gate.js';
import type { RtmpStatus } from './rtmp/rtmp-status.js';
import type { RistStatus } from './rist/rist-session.js';
import type { SrtStatus } from './srt/srt-stats.js';

export interface IngestStreamConfig {
  id: string;
  key: string;
  protocol: IngestProtocol;
  /** null for RTMP: its publishers come through the shared RTMP front. */
  port: number | null;
  fec: { columns: number; rows: number } | null;
  allowedSources: string[];
  /** Protocol "srt": what the listener (srt-live-transmit) is started with. */
  srt: { passphrase: string; latencyMs: number } | null;
  /** Protocol "rtmp": the publish secret's digest, checked by the front's on_publish (main thread). */
  rtmp: { secretSha256: string } | null;
  /** Protocol "rist": the receive buffer (retransmissions are asked for within it; also the playout delay). */
  rist: { bufferMs: number } | null;
  segmentSeconds: number;
  windowSegments: number;
  /** History kept in the media playlist and on disk beyond the live window (0: none). */
  dvrSeconds: number;
  /** LL-HLS (fMP4 with parts of about this many seconds); null: MPEG-TS segments. */
  partSeconds: number | null;
  /** ABR rungs transcoded from the source (which stays a variant of its own); empty: none. */
  renditions: LadderRung[];
}

export type ToWorker =
  | { type: 'start'; stream: IngestStreamConfig }
  | { type: 'stop'; id: string; removeFiles: boolean }
  /** Protocol "rtmp": a publisher came, left or was refused at the front. */
  | { type: 'rtmp'; id: string; event: RtmpEvent };

/** degraded: input arrives but output cannot be written (a full disk); it clears when writes succeed. */
export type StreamState = 'starting' | 'idle' | 'live' | 'degraded' | 'stalled' | 'failed';

/** What GET /streams/:id/status and /metrics report, per stream. */
export interface IngestStatus {
  state: StreamState;
  error: string | null;
  inputBitrate: number;
  datagramsReceived: number;
  packetsReceived: number;
  lost: number;
  recoveredByFec: number;
  unrecoverable: number;
  reordered: number;
  duplicated: number;
  droppedBySource: number;
  malformed: number;
  jitterMs: number;
  playoutDelayMs: number;
  segmentsWritten: number;
  /** Segments cut without a keyframe (the encoder sends none in time): not independently decodable. */
  cutsWithoutKeyframe: number;
  /** Segments dropped for outgrowing the per-segment memory cap. */
  oversizeSegmentsDropped: number;
  /** Times the video stopped while audio went on (the stream then goes on as audio). */
  videoGaps: number;
  /** Segments or playlists that could not be written. */
  writeFailures: number;
  /** Free bytes on MEDIA_ROOT's file system at the last status (null when it could not be read). */
  mediaRootFreeBytes: number | null;
  lastSegmentAt: string | null;
  mediaSequence: number;
  discontinuitySequence: number;
  codecs: { video: string | null; audio: string | null; width: number | null; height: number | null; frameRate: number | null };
  /** The ABR ladder's transcoder and rungs; null without renditions. */
  ladder: LadderStatus | null;
  /** Protocol "srt": the listener and libsrt's own figures; null otherwise. */
  srt: SrtStatus | null;
  /** Protocol "rtmp": the publisher and the reader; null otherwise. */
  rtmp: RtmpStatus | null;
  /** Protocol "rist": retransmission requests and what they brought; null otherwise. */
  rist: RistStatus | null;
}

export type FromWorker =
  | { type: 'status'; id: string; status: IngestStatus }
  | { type: 'stopped'; id: string }
  | { type: 'log'; level: 'log' | 'warn' | 'error'; message: string }
  /** LL-HLS: a variant's media playlist was rewritten and lists this far (blocking reload waits on it). */
  | { type: 'playlist'; id: string; key: string; variant: string; update: PlaylistUpdate };

/** How often a worker sends each stream's status to the main thread. */
export const STATUS_INTERVAL_MS = 1000;
