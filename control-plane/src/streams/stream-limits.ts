/**
 * Limits on stream configuration, each with the reason for its number. Shared by the DTOs
 * (validation) and the service (port reservations).
 */
import { SLUG_PATTERN } from '../common/slug.js';

/** A key appears in playback URLs and directory names: the slug rule (common/slug.ts). */
export const STREAM_KEY_PATTERN = SLUG_PATTERN;

/**
 * How a stream's feed arrives: RTP (optionally with SMPTE 2022-1 FEC), bare MPEG-TS over UDP,
 * SRT (listener, encrypted, retransmission; received by the reference libsrt, srt-live-transmit),
 * RTMP (publish to the shared RTMP port by stream key and secret, as OBS sends it), or RIST
 * Simple Profile (RTP with retransmission requested by RTCP NACKs, VSF TR-06-1).
 */
export const INGEST_PROTOCOLS = ['rtp', 'udp', 'srt', 'rtmp', 'rist'] as const;
export type IngestProtocol = (typeof INGEST_PROTOCOLS)[number];

/** Ports below 1024 need root to bind; the ingest workers do not run privileged. */
export const MIN_INGEST_PORT = 1024;
export const MAX_INGEST_PORT = 65535;

/** SMPTE 2022-1 sends column FEC to the media port + 2 and row FEC to + 4 (SMPTE 2022-1, as FFmpeg's prompeg sends it). */
export const COLUMN_FEC_PORT_OFFSET = 2;
export const ROW_FEC_PORT_OFFSET = 4;

/**
 * SMPTE 2022-1 matrix limits: L (columns) 1..20, D (rows) 4..20, L x D <= 100. FFmpeg's prompeg
 * additionally refuses L below 4 (libavformat/prompeg.c); a GStreamer sender may use smaller L.
 */
export const FEC_MIN_COLUMNS = 1;
export const FEC_MAX_COLUMNS = 20;
export const FEC_MIN_ROWS = 4;
export const FEC_MAX_ROWS = 20;
export const FEC_MAX_MATRIX = 100;

/** Segments: 1 s is the shortest that keeps TS overhead sane; 30 s is beyond any live use. */
export const MIN_SEGMENT_SECONDS = 1;
export const MAX_SEGMENT_SECONDS = 30;
/** RFC 8216 6.2.2: a live playlist must hold at least three target durations; 3 segments is the floor. */
export const MIN_WINDOW_SEGMENTS = 3;
export const MAX_WINDOW_SEGMENTS = 100;
/** LL-HLS parts: Apple recommends about 1 s, hls.js copes down to ~0.2 s. */
export const MIN_PART_SECONDS = 0.1;
/**
 * DVR window: up to four hours. The media playlist is rewritten whole with every segment and
 * players fetch it whole (gzip-encoded) until delta updates land; longer belongs in VOD recording.
 */
export const MAX_DVR_SECONDS = 14_400;
/**
 * SRT passphrase: libsrt takes 10 to 79 characters (SRTO_PASSPHRASE) and derives the AES key from
 * it; a generated one is 32 characters from 24 random bytes (base64url): as strong as AES-192.
 */
export const SRT_PASSPHRASE_MIN = 10;
export const SRT_PASSPHRASE_MAX = 79;
/**
 * SRT receive latency (SRTO_RCVLATENCY), the time libsrt has to get lost packets retransmitted:
 * 120 ms is libsrt's default (a LAN); across the internet Haivision advises 4 x the RTT at least.
 * 20 ms is libsrt's floor in practice; past 8 s a contribution feed is no longer live.
 */
export const SRT_LATENCY_DEFAULT_MS = 120;
export const SRT_LATENCY_MIN_MS = 20;
export const SRT_LATENCY_MAX_MS = 8000;

/**
 * RTMP publish secret: it goes into the stream key field of OBS (`<key>?secret=...`), so it must
 * survive a URL query as it is; 16 characters at least, as it is the only thing guarding a stream
 * key that is public (it names the playback URL). A generated one is 32 base64url characters.
 */
export const RTMP_SECRET_MIN = 16;
export const RTMP_SECRET_MAX = 128;
export const RTMP_SECRET_PATTERN = /^[A-Za-z0-9._~-]+$/;

/** Allowed sources: a handful of encoder networks, not a firewall table. */
export const MAX_ALLOWED_SOURCES = 64;
/** A ladder longer than this is a configuration mistake. */
export const MAX_RENDITIONS = 10;

export type IngestPortPurpose = 'media' | 'fec-column' | 'fec-row' | 'rtcp';

/** RIST Simple Profile: RTP on an even port, RTCP on the next one (TR-06-1 5.1, as RFC 3550 advises). */
export const RIST_RTCP_PORT_OFFSET = 1;
/**
 * RIST receive buffer: how long a missing packet may be waited for (and asked for again) before
 * it is given up; it is also the playout delay. 1 s is librist's default; a retransmission needs
 * at least one round trip, so give it a few round trips of the path. The buffer is sized for
 * RIST_MAX_PACKETS_PER_SECOND, so 3 s (about 25 MB of packet memory per stream) is the most.
 */
export const RIST_BUFFER_DEFAULT_MS = 1000;
export const RIST_BUFFER_MIN_MS = 50;
export const RIST_BUFFER_MAX_MS = 3000;
/** The packet rate a RIST buffer holds in full: 1000 x 7 TS packets a second, about 10 Mbit/s. */
export const RIST_MAX_PACKETS_PER_SECOND = 1000;

export interface IngestPortClaim {
  port: number;
  purpose: IngestPortPurpose;
}

/**
 * The UDP ports a stream listens on: the media port and, with FEC, the column and row FEC ports;
 * with RIST its RTCP port; none for RTMP.
 */
export function ingestPortsOf(port: number | null, fecEnabled: boolean, rist = false): IngestPortClaim[] {
  if (port === null) return [];
  const claims: IngestPortClaim[] = [{ port, purpose: 'media' }];
  if (rist) claims.push({ port: port + RIST_RTCP_PORT_OFFSET, purpose: 'rtcp' });
  if (fecEnabled) {
    claims.push({ port: port + COLUMN_FEC_PORT_OFFSET, purpose: 'fec-column' });
    claims.push({ port: port + ROW_FEC_PORT_OFFSET, purpose: 'fec-row' });
  }
  return claims;
}

/**
 * What lowLatency: true changes in the defaults (a value given explicitly stays): 2 s segments
 * (an encoder GOP of 1-2 s, 8216bis Appendix B's recommendation) and 0.2 s parts, as MediaMTX
 * does; players then start PART-HOLD-BACK (3 parts, 0.6 s) behind the newest part.
 */
export const LOW_LATENCY_DEFAULTS = { segmentSeconds: 2, partSeconds: 0.2 } as const;

export const PACKAGING_DEFAULTS = {
  // 4 s segments x 6 in the window: about 24 s of playlist, the common default for live HLS.
  segmentSeconds: 4,
  windowSegments: 6,
  lowLatency: false,
  partSeconds: 1,
  dvrSeconds: 0,
} as const;
