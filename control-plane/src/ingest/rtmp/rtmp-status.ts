// A stream's RTMP figures, as GET /streams/:ref/status and /metrics report them.
import type { RtmpEvent } from './rtmp-gate.js';

export interface RtmpStatus {
  /** waiting: no publisher; publishing: one is in and its media is read; restarting: the reader died and is started again. */
  state: 'waiting' | 'publishing' | 'restarting' | 'failed';
  /** Publishers let in since the stream started. */
  publishes: number;
  /** Publishers refused (wrong or no secret, an address not allowed, the key taken). */
  rejected: number;
  lastRejection: string | null;
  /** The address of the publisher now in, or null. */
  publisher: string | null;
  publishingSince: string | null;
  /** Times the reader (ffmpeg, RTMP to MPEG-TS without re-encoding) was started again while a publisher was in. */
  readerRestarts: number;
  lastError: string | null;
}

export function newRtmpStatus(): RtmpStatus {
  return { state: 'waiting', publishes: 0, rejected: 0, lastRejection: null, publisher: null, publishingSince: null, readerRestarts: 0, lastError: null };
}

/** Applies what the front reports; the reader's own state is set by the ingest. */
export function applyRtmpEvent(status: RtmpStatus, event: RtmpEvent, now = new Date()): void {
  if (event.kind === 'publish') {
    status.publishes++;
    status.publisher = event.address;
    status.publishingSince = now.toISOString();
    status.state = 'publishing';
  } else if (event.kind === 'unpublish') {
    status.publisher = null;
    status.publishingSince = null;
    status.state = 'waiting';
  } else if (event.kind === 'rejected') {
    status.rejected++;
    status.lastRejection = `${event.reason} (from ${event.address}, ${now.toISOString()})`;
  } else {
    status.lastError = event.error;
    if (event.error) status.state = 'failed';
    else if (status.state === 'failed') status.state = 'waiting';
  }
}
