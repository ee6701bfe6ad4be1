// What GET /api/v1/streams/:ref/ingest-urls answers, with no imports: the control plane
// (ingest-urls.ts) and the web console share this one definition.

export interface IngestUrls {
  protocol: string;
  /** Where the sender sends or calls. */
  url: string;
  /** A test pattern sent in real time, the GOP one segment long (keyframes where segments start). */
  ffmpeg: string;
  /** The same test pattern from gst-launch-1.0 (Debian: gstreamer1.0-tools and plugins base/good/bad/ugly). */
  gstreamer: string;
  /** OBS Studio: Settings > Stream, service "Custom..." (SRT and RTMP; OBS sends RTP/UDP no way we take). */
  obs: { server: string; streamKey: string } | null;
  /** Haivision's reference sender, relaying a local UDP MPEG-TS feed (SRT only). */
  srtLiveTransmit: string | null;
  notes: string[];
}
