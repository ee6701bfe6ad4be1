import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../common/principal.js';
import { etagOf } from '../common/etag.js';
import { PageQuery } from '../common/pagination.dto.js';
import { CreateNodeDto, NodePage, NodeResponse, UpdateNodeDto } from './dto/node.dto.js';
import { NodesService } from './nodes.service.js';

const IF_MATCH = { name: 'If-Match', required: false, description: 'ETag from a previous GET; 412 when stale' };

@ApiTags('nodes')
@ApiBearerAuth()
@Controller('api/v1/nodes')
export class NodesController {
  constructor(private readonly nodes: NodesService) {}

  @Get()
  @ApiOkResponse({ type: NodePage })
  list(@Query() query: PageQuery): Promise<NodePage> {
    return this.nodes.list(query);
  }

  @Get(':ref')
  @ApiOkResponse({ type: NodeResponse, description: 'ref is the id or the name' })
  async get(@Param('ref') ref: string, @Res({ passthrough: true }) res: Response): Promise<NodeResponse> {
    const node = await this.nodes.get(ref);
    res.setHeader('ETag', etagOf(node.version));
    return node;
  }

  @Post()
  @ApiCreatedResponse({ type: NodeResponse })
  async create(@Body() body: CreateNodeDto, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) res: Response): Promise<NodeResponse> {
    const node = await this.nodes.create(body, principal);
    res.setHeader('ETag', etagOf(node.version));
    res.setHeader('Location', `/api/v1/nodes/${node.id}`);
    return node;
  }

  @Patch(':ref')
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: NodeResponse })
  async update(
    @Param('ref') ref: string,
    @Body() body: UpdateNodeDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<NodeResponse> {
    const node = await this.nodes.update(ref, body, ifMatch, principal);
    res.setHeader('ETag', etagOf(node.version));
    return node;
  }

  @Delete(':ref')
  @HttpCode(204)
  @ApiHeader(IF_MATCH)
  @ApiNoContentResponse()
  remove(@Param('ref') ref: string, @Headers('if-match') ifMatch: string | undefined, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.nodes.remove(ref, ifMatch, principal);
  }
}
