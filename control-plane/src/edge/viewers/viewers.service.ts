import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { enabledEdges } from '../edge-nodes.js';
import { StreamsService } from '../../streams/streams.service.js';
import { LiveEventsService } from '../../telemetry/live-events.service.js';
import { EdgeLogPuller } from './edge-log-puller.js';
import { parseAccessLogLine, ViewerStats, ViewerSummary } from './viewer-stats.js';

/** A viewer who made no request for this long has left (several segment durations). */
const VIEWER_WINDOW_MS = 30_000;
const POLL_MS = 2000;

/**
 * Per-stream viewer metrics from the CMCD the players send, pulled from every enabled edge's
 * JSON access log.
 */
@Injectable()
export class ViewersService implements OnModuleDestroy {
  private readonly logger = new Logger('viewers');
  private readonly stats = new ViewerStats(VIEWER_WINDOW_MS);
  private readonly puller = new EdgeLogPuller();
  /** Edges whose last pull failed, so each failure is logged once, not every round. */
  private readonly failing = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<void> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly streams: StreamsService,
    private readonly live: LiveEventsService,
    registry: Registry,
  ) {
    const gauge = (name: string, help: string, value: (s: ViewerSummary) => number | null) => {
      const stats = () => this.stats;
      new Gauge({
        name,
        help,
        labelNames: ['stream'],
        registers: [registry],
        collect(this: Gauge) {
          this.reset();
          const now = Date.now();
          for (const stream of stats().streams()) {
            const v = value(stats().summary(stream, now));
            if (v !== null) this.set({ stream }, v);
          }
        },
      });
    };
    gauge('hls_viewers', `Player sessions seen at the edges in the last ${VIEWER_WINDOW_MS / 1000} s`, (s) => s.viewers);
    gauge('hls_viewer_requested_bitrate_kbps', 'Mean CMCD br (encoded bitrate requested) of current viewers', (s) => s.requestedBitrateKbps);
    gauge('hls_viewer_buffer_length_ms', 'Mean CMCD bl (buffer length) of current viewers', (s) => s.bufferLengthMs);
  }

  /** Pulls the edges' logs every couple of seconds, and tells each stream's viewers as a live event. */
  start(): void {
    this.timer = setInterval(() => void this.refresh().then(() => this.publish()), POLL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.reading;
  }

  async forStream(ref: string): Promise<ViewerSummary & { stream: string }> {
    const stream = await this.streams.get(ref);
    await this.refresh();
    return { stream: stream.key, ...this.stats.summary(stream.key, Date.now()) };
  }

  private publish(): void {
    const now = Date.now();
    for (const key of this.stats.streams()) {
      const s = this.stats.summary(key, now);
      this.live.publish({
        type: 'viewers',
        key,
        t: now,
        viewers: s.viewers,
        bufferLengthMs: s.bufferLengthMs,
        measuredThroughputKbps: s.measuredThroughputKbps,
        requestedBitrateKbps: s.requestedBitrateKbps,
      });
    }
  }

  /** One pull round at a time; callers wait for the one in progress or the next. */
  private refresh(): Promise<void> {
    this.reading = this.reading.then(() => this.pullAll()).catch((error: Error) => this.logger.warn(`edge logs: ${error.message}`));
    return this.reading;
  }

  private async pullAll(): Promise<void> {
    const edges = await enabledEdges(this.dataSource.manager, { withControlToken: true });
    await Promise.all(
      edges.map(async (edge) => {
        const { lines, error } = await this.puller.pull(edge);
        if (error && !this.failing.has(edge.id)) this.logger.warn(`cannot read the access log of ${edge.name}: ${error}`);
        if (error) this.failing.add(edge.id);
        else this.failing.delete(edge.id);
        const now = Date.now();
        for (const line of lines) {
          const entry = parseAccessLogLine(line);
          if (entry) this.stats.add(entry, now);
        }
      }),
    );
  }
}
