import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiError, ErrorCode } from '../common/api-error.js';
import { STATUS_INTERVAL_MS } from '../ingest/ingest-protocol.js';
import { IngestService } from '../ingest/ingest.service.js';
import { StreamsService } from '../streams/streams.service.js';
import { StreamHistoryResponse } from './dto/stream-history.dto.js';
import { HISTORY_SAMPLES } from './status-history.js';
import { StreamTelemetry } from './stream-telemetry.service.js';

@ApiTags('streams')
@ApiBearerAuth()
@Controller('api/v1/streams')
export class HistoryController {
  constructor(
    private readonly streams: StreamsService,
    private readonly ingest: IngestService,
    private readonly telemetry: StreamTelemetry,
  ) {}

  @Get(':ref/history')
  @ApiQuery({ name: 'since', required: false, description: 'Only samples at or after this time (ms since the epoch)' })
  @ApiOkResponse({ type: StreamHistoryResponse, description: 'The last ten minutes of the ingest figures, one sample per status tick (in memory)' })
  async history(@Param('ref') ref: string, @Query('since') since: unknown): Promise<StreamHistoryResponse> {
    const from = since === undefined ? 0 : Number(since);
    if (typeof since !== 'undefined' && (typeof since !== 'string' || !/^\d{1,15}$/.test(since))) {
      throw new ApiError(ErrorCode.ValidationFailed, 'since must be a time in ms since the epoch', [
        { field: 'since', message: 'must be a whole number of ms since the epoch' },
      ]);
    }
    const running = this.ingest.runningStream(ref);
    const { id, key } = running ?? (await this.streams.get(ref));
    return { id, key, intervalMs: STATUS_INTERVAL_MS, capacity: HISTORY_SAMPLES, samples: this.telemetry.samples(id, from) };
  }
}
