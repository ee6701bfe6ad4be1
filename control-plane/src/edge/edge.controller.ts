import { Body, Controller, Get, Header, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiError } from '../common/api-error.js';
import { definedOnly } from '../common/defined-only.js';
import { ConfigEventsService } from '../events/config-events.service.js';
import { configGeneration } from '../nginx/nginx-config.js';
import { preferredWaitSeconds, renderWhenChanged } from './config-wait.js';
import { njsModules } from './njs-modules.js';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth/admin-only.decorator.js';
import { EdgeConfigQuery, PurgeDto, PurgeResult } from './dto/edge.dto.js';
import { CONTAINER_EDGE_PATHS, CONTAINER_ORIGIN_PATHS, EdgeConfigService } from './edge-config.service.js';
import { PurgeService } from './purge.service.js';
import { ViewersService } from './viewers/viewers.service.js';

@ApiTags('edges')
@ApiBearerAuth()
@Controller('api/v1')
export class EdgeController {
  constructor(
    private readonly edgeConfig: EdgeConfigService,
    private readonly purges: PurgeService,
    private readonly viewers: ViewersService,
    private readonly events: ConfigEventsService,
  ) {}

  /**
   * What a node runs: its nginx server config, rendered from the database (it holds secrets). The
   * ETag is the config's generation; with If-None-Match and `Prefer: wait=N` (RFC 7240) the answer
   * waits up to N seconds (at most 60) for the config to change, so a node learns a change (a new
   * edge to trust, a stream that became signed) when it happens, not at its next poll; 304 if not.
   */
  @Get('nodes/:ref/nginx-config')
  @AdminOnly()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'nginx server config for an edge or origin node: include it in the http block of an nginx with njs' })
  @ApiResponse({ status: 304, description: 'If-None-Match named the current generation (after waiting, with Prefer: wait=N)' })
  async nginxConfig(
    @Param('ref') ref: string,
    @Query() query: EdgeConfigQuery,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Headers('prefer') prefer: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string | undefined> {
    const { mediaRoot, listen, ...edgePaths } = definedOnly(query);
    const render = async (): Promise<string> =>
      this.edgeConfig.renderForApi(
        await this.edgeConfig.node(ref),
        { ...CONTAINER_EDGE_PATHS, ...edgePaths },
        { ...CONTAINER_ORIGIN_PATHS, ...definedOnly({ njsDir: query.njsDir, mediaRoot, listen }) },
      );
    const etagOf = (text: string): string => `"${configGeneration(text) ?? ''}"`;
    const unchanged = (text: string): boolean => ifNoneMatch !== undefined && ifNoneMatch.trim() === etagOf(text);
    const text = await renderWhenChanged(this.events, render, unchanged, preferredWaitSeconds(prefer) * 1000);
    res.setHeader('ETag', etagOf(text));
    if (!unchanged(text)) return text;
    res.status(304);
    return undefined;
  }

  /** The njs modules an edge runs, so a remote edge can be provisioned from the control plane alone. */
  @Get('edge-files')
  @ApiOkResponse({ type: [String], description: 'Names of the files an edge needs in its njsDir' })
  async edgeFiles(): Promise<string[]> {
    return [...(await njsModules()).keys()];
  }

  @Get('edge-files/:name')
  @ApiProduces('application/javascript')
  @ApiOkResponse({ description: 'One njs module (edge.js imports the others and wasm-core.js, the wasm2js build)' })
  async edgeFile(@Param('name') name: string, @Res() res: Response): Promise<void> {
    const text = (await njsModules()).get(name);
    if (text === undefined) throw ApiError.notFound('edge file', name);
    res.type('application/javascript').send(text);
  }

  @Post('nodes/:ref/purge')
  @HttpCode(200)
  @ApiOkResponse({ type: PurgeResult, description: 'Removes cached objects (of one stream, or all) from an edge' })
  purgeNode(@Param('ref') ref: string, @Body() body: PurgeDto): Promise<PurgeResult> {
    return this.purges.purgeNode(ref, body.stream ?? null);
  }

  @Post('streams/:ref/purge')
  @HttpCode(200)
  @ApiOkResponse({ type: [PurgeResult], description: "Removes the stream's cached objects from every enabled edge" })
  purgeStream(@Param('ref') ref: string): Promise<PurgeResult[]> {
    return this.purges.purgeStream(ref);
  }

  @Get('streams/:ref/viewers')
  @ApiOkResponse({ description: 'Viewers, requested bitrate and buffer length from the CMCD players send, pulled from the access logs of every enabled edge' })
  viewersOf(@Param('ref') ref: string): ReturnType<ViewersService['forStream']> {
    return this.viewers.forStream(ref);
  }
}
