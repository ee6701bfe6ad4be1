import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { StreamsService } from '../streams/streams.service.js';
import { StreamStatusResponse } from './dto/stream-status.dto.js';
import { IngestService } from './ingest.service.js';
import type { IngestStatus } from './ingest-protocol.js';

const IDLE: IngestStatus = {
  state: 'idle',
  error: null,
  inputBitrate: 0,
  datagramsReceived: 0,
  packetsReceived: 0,
  lost: 0,
  recoveredByFec: 0,
  unrecoverable: 0,
  reordered: 0,
  duplicated: 0,
  droppedBySource: 0,
  malformed: 0,
  jitterMs: 0,
  playoutDelayMs: 0,
  segmentsWritten: 0,
  writeFailures: 0,
  cutsWithoutKeyframe: 0,
  oversizeSegmentsDropped: 0,
  videoGaps: 0,
  mediaRootFreeBytes: null,
  lastSegmentAt: null,
  mediaSequence: 0,
  discontinuitySequence: 0,
  codecs: { video: null, audio: null, width: null, height: null, frameRate: null },
  ladder: null,
  srt: null,
  rtmp: null,
  rist: null,
};

@ApiTags('streams')
@ApiBearerAuth()
@Controller('api/v1/streams')
export class IngestStatusController {
  constructor(
    private readonly streams: StreamsService,
    private readonly ingest: IngestService,
  ) {}

  @Get(':ref/status')
  @ApiOkResponse({ type: StreamStatusResponse, description: 'Live counters of the stream ingest; idle when no input has arrived' })
  async status(@Param('ref') ref: string): Promise<StreamStatusResponse> {
    // A running stream's figures live in memory: no database round trip, so a stalled database does not stall them.
    const running = this.ingest.runningStream(ref);
    if (running) return { id: running.id, key: running.key, enabled: true, ...running.status };
    const stream = await this.streams.get(ref);
    const status = this.ingest.status(stream.id) ?? { ...IDLE, state: stream.enabled ? 'idle' : 'disabled' };
    return { id: stream.id, key: stream.key, enabled: stream.enabled, ...status };
  }
}
