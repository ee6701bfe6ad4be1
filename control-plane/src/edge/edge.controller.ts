import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiError } from '../common/api-error.js';
import { definedOnly } from '../common/defined-only.js';
import { njsModules } from './njs-modules.js';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
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
  ) {}

  /** What a node runs: its nginx server config, rendered from the database (it holds secrets). */
  @Get('nodes/:ref/nginx-config')
  @AdminOnly()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'nginx server config for an edge or origin node: include it in the http block of an nginx with njs' })
  async nginxConfig(@Param('ref') ref: string, @Query() query: EdgeConfigQuery): Promise<string> {
    const node = await this.edgeConfig.node(ref);
    const { mediaRoot, listen, ...edgePaths } = definedOnly(query);
    return this.edgeConfig.renderForApi(
      node,
      { ...CONTAINER_EDGE_PATHS, ...edgePaths },
      { ...CONTAINER_ORIGIN_PATHS, ...definedOnly({ njsDir: query.njsDir, mediaRoot, listen }) },
    );
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
