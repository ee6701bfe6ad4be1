import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../common/principal.js';
import { etagOf } from '../common/etag.js';
import { PageQuery } from '../common/pagination.dto.js';
import { StreamConfigDto } from './dto/stream-config.dto.js';
import { StreamPage, StreamResponse } from './dto/stream-response.dto.js';
import { UpdateStreamDto } from './dto/update-stream.dto.js';
import { IngestUrls, ingestUrls } from './ingest-urls.js';
import { StreamsService } from './streams.service.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';

const IF_MATCH = { name: 'If-Match', required: false, description: 'ETag from a previous GET; 412 when stale' };

@ApiTags('streams')
@ApiBearerAuth()
@Controller('api/v1/streams')
export class StreamsController {
  constructor(
    private readonly streams: StreamsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOkResponse({ type: StreamPage })
  list(@Query() query: PageQuery): Promise<StreamPage> {
    return this.streams.list(query);
  }

  @Get(':ref')
  @ApiOkResponse({ type: StreamResponse, description: 'ref is the id or the key' })
  async get(@Param('ref') ref: string, @Res({ passthrough: true }) res: Response): Promise<StreamResponse> {
    const stream = await this.streams.get(ref);
    res.setHeader('ETag', etagOf(stream.version));
    return stream;
  }

  @Get(':ref/ingest-urls')
  @ApiOkResponse({
    description:
      'How to send to the stream: URL, an ffmpeg line, OBS settings for SRT and RTMP, a srt-live-transmit line for SRT (host: the one this request was sent to, or ?host=)',
  })
  async ingestUrls(@Param('ref') ref: string, @Query('host') host: string | undefined, @Req() req: Request): Promise<IngestUrls> {
    const stream = await this.streams.get(ref);
    return ingestUrls(stream, senderHost(host, req), this.config.rtmpPort);
  }

  @Post()
  @ApiCreatedResponse({ type: StreamResponse })
  async create(@Body() body: StreamConfigDto, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) res: Response): Promise<StreamResponse> {
    const stream = await this.streams.create(body, principal);
    res.setHeader('ETag', etagOf(stream.version));
    res.setHeader('Location', `/api/v1/streams/${stream.id}`);
    return stream;
  }

  @Patch(':ref')
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: StreamResponse })
  async update(
    @Param('ref') ref: string,
    @Body() body: UpdateStreamDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamResponse> {
    const stream = await this.streams.update(ref, body, ifMatch, principal);
    res.setHeader('ETag', etagOf(stream.version));
    return stream;
  }

  @Delete(':ref')
  @HttpCode(204)
  @ApiHeader(IF_MATCH)
  @ApiNoContentResponse()
  remove(@Param('ref') ref: string, @Headers('if-match') ifMatch: string | undefined, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.streams.remove(ref, ifMatch, principal);
  }
}

/** The host senders reach: ?host= when given (a name or address), else the host this request used. */
function senderHost(given: string | undefined, req: Request): string {
  const candidate = given ?? req.hostname;
  return /^[A-Za-z0-9.:[\]-]{1,253}$/.test(candidate ?? '') ? candidate : '127.0.0.1';
}
