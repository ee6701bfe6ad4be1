// The shape of one status sample, with no imports: the control plane and the web console
// (control-plane/console, type-checked for the browser) share this one definition.

/** One tick. Counters are cumulative since the ingest started (as on /metrics): a chart takes differences. */
export interface StatusSample {
  /** Milliseconds since the epoch, when the control plane received it. */
  t: number;
  /** The stream's state (IngestStatus.state: live, stalled, idle, ...). */
  state: string;
  inputBitrate: number;
  packetsReceived: number;
  lost: number;
  recoveredByFec: number;
  unrecoverable: number;
  jitterMs: number;
  playoutDelayMs: number;
  segmentsWritten: number;
  /** Players seen at the edges (CMCD) lately, and the means of what they report; null without edge data. */
  viewers: number | null;
  viewerBufferMs: number | null;
  viewerThroughputKbps: number | null;
  /** ABR: each encoded rung's latest SSIM against the source; null without a ladder. */
  rungSsim: Record<string, number | null> | null;
}

/** What the edges last said about a stream's viewers (the `viewers` live event). */
export interface ViewerFigures {
  viewers: number;
  bufferLengthMs: number | null;
  measuredThroughputKbps: number | null;
}
