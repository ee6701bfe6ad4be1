import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { IngestService } from './ingest.service.js';
import type { LadderStatus, RungStatus } from '../media/transcode/ladder.js';
import type { IngestStatus } from './ingest-protocol.js';
import type { SrtStatus } from './srt/srt-stats.js';
import type { RtmpStatus } from './rtmp/rtmp-status.js';
import type { RistStatus } from './rist/rist-session.js';

type NumericField = { [K in keyof IngestStatus]: IngestStatus[K] extends number ? K : never }[keyof IngestStatus];

const COUNTERS: [string, NumericField, string][] = [
  ['hls_ingest_datagrams_total', 'datagramsReceived', 'UDP datagrams received on all ports'],
  ['hls_ingest_packets_total', 'packetsReceived', 'Media packets received'],
  ['hls_ingest_lost_packets_total', 'lost', 'Media packets missing on arrival'],
  ['hls_ingest_fec_recovered_total', 'recoveredByFec', 'Packets rebuilt from SMPTE 2022-1 FEC'],
  ['hls_ingest_unrecoverable_total', 'unrecoverable', 'Missing packets given up'],
  ['hls_ingest_reordered_total', 'reordered', 'Packets that arrived out of order'],
  ['hls_ingest_duplicated_total', 'duplicated', 'Duplicate packets'],
  ['hls_ingest_source_dropped_total', 'droppedBySource', 'Datagrams from sources outside allowedSources'],
  ['hls_ingest_malformed_total', 'malformed', 'Malformed packets dropped'],
  ['hls_segments_written_total', 'segmentsWritten', 'HLS segments written'],
  ['hls_cuts_without_keyframe_total', 'cutsWithoutKeyframe', 'Segments cut without a keyframe (not independently decodable)'],
  ['hls_oversize_segments_dropped_total', 'oversizeSegmentsDropped', 'Segments dropped for outgrowing the per-segment memory cap'],
  ['hls_video_gaps_total', 'videoGaps', 'Times the video stopped while audio went on'],
  ['hls_output_write_failures_total', 'writeFailures', 'Segments or playlists that could not be written (a full disk, an I/O error)'],
];
const GAUGES: [string, NumericField, string][] = [
  ['hls_ingest_bitrate_bits', 'inputBitrate', 'Input bitrate, bits per second'],
  ['hls_ingest_jitter_ms', 'jitterMs', 'RFC 3550 interarrival jitter, milliseconds'],
  ['hls_ingest_playout_delay_ms', 'playoutDelayMs', 'Current playout delay, milliseconds'],
  ['hls_media_sequence', 'mediaSequence', 'Media sequence number of the newest segment'],
];

/**
 * Ingest's Prometheus metrics, labelled by stream key, read from the workers' latest status at
 * scrape time. Registered on the one registry that GET /metrics (metrics/) renders.
 */
@Injectable()
export class IngestMetrics {
  constructor(
    private readonly ingest: IngestService,
    private readonly registry: Registry,
  ) {
    for (const [name, field, help] of COUNTERS) this.perStream(Counter, name, help, (s) => s[field]);
    for (const [name, field, help] of GAUGES) this.perStream(Gauge, name, help, (s) => s[field]);
    this.perStream(Gauge, 'hls_stream_live', '1 when the stream receives input', (s) => (s.state === 'live' || s.state === 'degraded' ? 1 : 0));
    this.perStream(Gauge, 'hls_stream_degraded', '1 when input arrives but output cannot be written', (s) => (s.state === 'degraded' ? 1 : 0));
    this.perStream(
      Gauge,
      'hls_media_root_free_bytes',
      "Free bytes on MEDIA_ROOT's file system, as the stream's worker last saw it",
      (s) => s.mediaRootFreeBytes ?? -1,
    );
    this.ladderMetrics();
    this.srtMetrics();
    this.rtmpMetrics();
    this.ristMetrics();
  }

  /** One sample per stream that has the `part` of the status (a protocol's figures), labelled by stream key. */
  private perPart<P>(part: (s: IngestStatus) => P | null) {
    return (kind: typeof Counter | typeof Gauge, name: string, help: string, value: (p: P) => number | null) =>
      this.sampled(kind, name, help, ['stream'], () =>
        this.ingest.allStatuses().flatMap(({ key, status }) => {
          const p = part(status);
          const v = p === null ? null : value(p);
          return v === null ? [] : [[{ stream: key }, v] as Sample];
        }),
      );
  }

  /** SRT streams: libsrt's receive figures. */
  private srtMetrics(): void {
    const perSrt = this.perPart<SrtStatus>((s) => s.srt);
    perSrt(Gauge, 'hls_srt_connected', '1 while an SRT sender is connected', (s) => (s.state === 'connected' ? 1 : 0));
    perSrt(Counter, 'hls_srt_connections_total', 'SRT senders accepted', (s) => s.connections);
    perSrt(Counter, 'hls_srt_rejected_total', 'SRT handshakes refused (wrong passphrase, no encryption)', (s) => s.rejected);
    perSrt(Counter, 'hls_srt_packets_lost_total', 'SRT packets found missing (then asked for again)', (s) => s.packetsLost);
    perSrt(Counter, 'hls_srt_packets_retransmitted_total', 'Retransmitted SRT packets received', (s) => s.packetsRetransmitted);
    perSrt(Counter, 'hls_srt_packets_dropped_total', 'SRT packets given up on: not there by their play time', (s) => s.packetsDropped);
    perSrt(Gauge, 'hls_srt_rtt_ms', 'Round trip to the SRT sender, ms', (s) => s.rttMs);
    perSrt(Gauge, 'hls_srt_receive_buffer_ms', 'Media in the SRT receive buffer, ms', (s) => s.receiveBufferMs);
    perSrt(Counter, 'hls_srt_listener_restarts_total', 'Times srt-live-transmit died and was started again', (s) => s.restarts);
  }

  /** RIST streams: retransmission requests and what they brought. */
  private ristMetrics(): void {
    const perRist = this.perPart<RistStatus>((s) => s.rist);
    perRist(Counter, 'hls_rist_nacks_sent_total', 'Retransmissions asked for (RTCP NACK entries)', (s) => s.nacksSent);
    perRist(Counter, 'hls_rist_retransmissions_received_total', 'Packets that came flagged as retransmissions', (s) => s.retransmissionsReceived);
    perRist(Counter, 'hls_rist_recovered_total', 'Missing packets that arrived after being asked for', (s) => s.recoveredByRetransmission);
    perRist(Counter, 'hls_rist_late_total', 'Missing packets that arrived after their deadline', (s) => s.late);
    perRist(Counter, 'hls_rist_lost_total', 'Missing packets given up at their deadline', (s) => s.lost);
    perRist(Gauge, 'hls_rist_rtt_ms', 'Round trip to the RIST sender, ms', (s) => s.rttMs);
  }

  /** RTMP streams: the publisher at the front and the reader. */
  private rtmpMetrics(): void {
    const perRtmp = this.perPart<RtmpStatus>((s) => s.rtmp);
    perRtmp(Gauge, 'hls_rtmp_publishing', '1 while an RTMP publisher is in', (s) => (s.state === 'publishing' ? 1 : 0));
    perRtmp(Counter, 'hls_rtmp_publishes_total', 'RTMP publishers let in', (s) => s.publishes);
    perRtmp(Counter, 'hls_rtmp_rejected_total', 'RTMP publishers refused (wrong or no secret, address not allowed, key taken)', (s) => s.rejected);
    perRtmp(Counter, 'hls_rtmp_reader_restarts_total', 'Times the RTMP reader died while a publisher was in and was started again', (s) => s.readerRestarts);
  }

  /** Streams with an ABR ladder: its transcoder, labelled by stream key; each rung's segments, by stream and rung. */
  private ladderMetrics(): void {
    const ladders = () => this.ingest.allStatuses().flatMap((s) => (s.status.ladder ? [{ key: s.key, ladder: s.status.ladder }] : []));
    const perLadder = (kind: typeof Counter | typeof Gauge, name: string, help: string, value: (l: LadderStatus) => number) =>
      this.sampled(kind, name, help, ['stream'], () => ladders().map(({ key, ladder }) => [{ stream: key }, value(ladder)]));
    perLadder(Gauge, 'hls_transcoder_running', '1 while the ABR transcoder (ffmpeg) runs', (l) => (l.transcoder.state === 'running' ? 1 : 0));
    perLadder(
      Gauge,
      'hls_transcoder_speed',
      "The ABR transcoder's speed, x real time (below 1 it falls behind); -1 before it reports",
      (l) => l.transcoder.speed ?? -1,
    );
    perLadder(Gauge, 'hls_transcoder_cpu_cores', 'CPU cores the ABR transcoder keeps busy; -1 before a sample', (l) => l.transcoder.cpuCores ?? -1);
    perLadder(Counter, 'hls_transcoder_restarts_total', 'Times the ABR transcoder died and was started again', (l) => l.transcoder.restarts);
    perLadder(
      Counter,
      'hls_transcoder_dropped_bytes_total',
      'Input bytes the ABR transcoder could not take in time (too slow, or restarting)',
      (l) => l.transcoder.droppedBytes,
    );
    const perRung = (kind: typeof Counter | typeof Gauge, name: string, help: string, value: (r: RungStatus) => number | null) =>
      this.sampled(kind, name, help, ['stream', 'rung'], () =>
        ladders().flatMap(({ key, ladder }) =>
          ladder.rungs.flatMap((rung) => {
            const v = value(rung);
            return v === null ? [] : [[{ stream: key, rung: rung.name }, v] as Sample];
          }),
        ),
      );
    perRung(Counter, 'hls_rung_segments_written_total', 'HLS segments written per ABR rung (the source is rung "source")', (r) => r.segmentsWritten);
    perRung(Gauge, 'hls_rung_ssim', "SSIM of the rung's last scored segment against the source's (the source: 1); absent until scored", (r) => r.quality.ssim);
    perRung(Gauge, 'hls_rung_psnr_db', "Mean PSNR of the rung's last scored segment against the source's, dB", (r) => r.quality.psnr);
    perRung(Gauge, 'hls_rung_below_quality_floor', "1 when the rung's last SSIM is under its minSsim", (r) => (r.quality.belowFloor ? 1 : 0));
    perRung(Gauge, 'hls_rung_above_source', "1 when the rung is larger than the source's picture (an upscale)", (r) => (r.aboveSource ? 1 : 0));
    perRung(Counter, 'hls_rung_quality_probe_failures_total', 'Quality scorings of the rung that failed', (r) => r.quality.failures);
  }

  /** A metric whose value per stream key is read from the latest status at scrape time. */
  private perStream(kind: typeof Counter | typeof Gauge, name: string, help: string, value: (s: IngestStatus) => number): void {
    this.sampled(kind, name, help, ['stream'], () => this.ingest.allStatuses().map((s) => [{ stream: s.key }, value(s.status)]));
  }

  /** A metric whose labelled values are all read afresh at scrape time (a counter is set to the count the worker keeps). */
  private sampled(kind: typeof Counter | typeof Gauge, name: string, help: string, labelNames: string[], samples: () => Sample[]): void {
    new kind({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect(this: Counter | Gauge) {
        this.reset();
        for (const [labels, value] of samples()) {
          if (this instanceof Gauge) this.set(labels, value);
          else this.inc(labels, value);
        }
      },
    });
  }
}

type Sample = [Record<string, string>, number];
