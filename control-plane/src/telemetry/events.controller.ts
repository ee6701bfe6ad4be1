import { Controller, Get, OnModuleDestroy, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiError, ErrorCode } from '../common/api-error.js';
import { LiveEvent, LiveEventsService } from './live-events.service.js';

/** A comment line this often keeps proxies and browsers from timing the stream out. */
const HEARTBEAT_MS = 15_000;
/** A client this far behind (bytes queued for it) is cut off; it reconnects and reloads history. */
const MAX_QUEUED_BYTES = 1 << 20;
const EVENT_TYPES: readonly string[] = ['status', 'config', 'viewers', 'node'];

/** Each event is one object for every listener: its wire form is made once, not once per client. */
const wireForms = new WeakMap<LiveEvent, string>();
function wireForm(event: LiveEvent): string {
  let text = wireForms.get(event);
  if (text === undefined) wireForms.set(event, (text = `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`));
  return text;
}

@ApiTags('events')
@ApiBearerAuth()
@Controller('api/v1/events')
export class EventsController implements OnModuleDestroy {
  /** Open event streams, ended on shutdown (the HTTP server would otherwise wait for them). */
  private readonly open = new Set<Response>();

  constructor(private readonly live: LiveEventsService) {}

  onModuleDestroy(): void {
    for (const res of this.open) res.end();
    this.open.clear();
  }

  /**
   * Server-Sent Events: `status` (a stream's figures, as in its history, about once a second),
   * `config` (a stream, node or signing key changed), `viewers` (a stream's CMCD figures from the
   * edges) and `node` (a node's health probe). Read keys may listen. Browsers read it with
   * fetch() (EventSource cannot send the Authorization header).
   */
  @Get()
  @ApiQuery({ name: 'stream', required: false, description: 'Only this stream (id or key) for status and viewers events' })
  @ApiQuery({ name: 'types', required: false, description: 'Comma-separated event types: status, config, viewers, node (default all)' })
  @ApiOkResponse({ description: 'text/event-stream; each event has `event: <type>` and one JSON `data:` line' })
  stream(@Query('stream') stream: unknown, @Query('types') types: unknown, @Req() req: Request, @Res() res: Response): void {
    const wanted = parseTypes(types);
    if (stream !== undefined && (typeof stream !== 'string' || stream.length === 0 || stream.length > 128)) {
      throw new ApiError(ErrorCode.ValidationFailed, 'stream must be a stream id or key', [{ field: 'stream', message: 'must be a stream id or key' }]);
    }
    const ref = stream as string | undefined;
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    // nginx in front would otherwise buffer the stream.
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write('retry: 2000\n\n');
    const send = (event: LiveEvent) => {
      if (!wanted.has(event.type)) return;
      if (ref !== undefined && event.type === 'status' && event.id !== ref.toLowerCase() && event.key !== ref) return;
      if (ref !== undefined && event.type === 'viewers' && event.key !== ref) return;
      if (res.writableLength > MAX_QUEUED_BYTES) return void res.destroy();
      res.write(wireForm(event));
    };
    const unsubscribe = this.live.subscribe(send);
    this.open.add(res);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      this.open.delete(res);
    });
  }
}

function parseTypes(types: unknown): Set<string> {
  if (types === undefined) return new Set(EVENT_TYPES);
  const list = typeof types === 'string' ? types.split(',').map((t) => t.trim()) : [];
  const unknown = list.filter((t) => !EVENT_TYPES.includes(t));
  if (list.length === 0 || unknown.length > 0) {
    const message = `must be a comma-separated list of ${EVENT_TYPES.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`;
    throw new ApiError(ErrorCode.ValidationFailed, `types ${message}`, [{ field: 'types', message }]);
  }
  return new Set(list);
}
