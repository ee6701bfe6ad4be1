import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { StreamsService } from '../../streams/streams.service.js';
import { LocalEdgeService } from '../local-edge.service.js';
import { AccessLogTail } from './access-log-tail.js';
import { parseAccessLogLine, ViewerStats, ViewerSummary } from './viewer-stats.js';

/** A viewer who made no request for this long has left (several segment durations). */
const VIEWER_WINDOW_MS = 30_000;
const POLL_MS = 1000;

/**
 * Per-stream viewer metrics from the CMCD the players send, read from the local edge's JSON
 * access log. (Remote edges would ship their logs here the same way; not built yet.)
 */
@Injectable()
export class ViewersService implements OnModuleDestroy {
  private readonly logger = new Logger('viewers');
  private readonly stats = new ViewerStats(VIEWER_WINDOW_MS);
  private tail: AccessLogTail | null = null;
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<void> = Promise.resolve();

  constructor(
    private readonly edge: LocalEdgeService,
    private readonly streams: StreamsService,
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
    gauge('hls_viewers', `Player sessions seen at the local edge in the last ${VIEWER_WINDOW_MS / 1000} s`, (s) => s.viewers);
    gauge('hls_viewer_requested_bitrate_kbps', 'Mean CMCD br (encoded bitrate requested) of current viewers', (s) => s.requestedBitrateKbps);
    gauge('hls_viewer_buffer_length_ms', 'Mean CMCD bl (buffer length) of current viewers', (s) => s.bufferLengthMs);
  }

  /** Follows the local edge's access log, if a local edge runs. */
  start(): void {
    const file = this.edge.accessLog;
    if (!file) return;
    this.tail = new AccessLogTail(file);
    this.timer = setInterval(() => {
      this.reading = this.reading.then(() => this.readLog()).catch((error: Error) => this.logger.warn(`access log: ${error.message}`));
    }, POLL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.reading;
  }

  async forStream(ref: string): Promise<ViewerSummary & { stream: string }> {
    const stream = await this.streams.get(ref);
    await this.readLog();
    return { stream: stream.key, ...this.stats.summary(stream.key, Date.now()) };
  }

  private async readLog(): Promise<void> {
    if (!this.tail) return;
    const now = Date.now();
    for (const line of await this.tail.readLines()) {
      const entry = parseAccessLogLine(line);
      if (entry) this.stats.add(entry, now);
    }
  }
}
