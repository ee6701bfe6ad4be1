import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { PageQuery } from '../common/pagination.dto.js';
import { AdminOnly } from './admin-only.decorator.js';
import { ApiKeysService } from './api-keys.service.js';
import { CurrentPrincipal } from './current-principal.decorator.js';
import { ApiKeyPage, ApiKeyResponse, CreateApiKeyDto, CreatedApiKeyResponse } from './dto/api-key.dto.js';
import type { Principal } from '../common/principal.js';

@ApiTags('api-keys')
@ApiBearerAuth()
@AdminOnly()
@Controller('api/v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedApiKeyResponse, description: 'The secret is in this response only' })
  create(@Body() body: CreateApiKeyDto, @CurrentPrincipal() principal: Principal): Promise<CreatedApiKeyResponse> {
    return this.keys.create(body, principal);
  }

  @Get()
  @ApiOkResponse({ type: ApiKeyPage })
  list(@Query() query: PageQuery): Promise<ApiKeyPage> {
    return this.keys.list(query);
  }

  @Post(':id/revoke')
  @ApiOkResponse({ type: ApiKeyResponse })
  revoke(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<ApiKeyResponse> {
    return this.keys.revoke(id, principal);
  }
}
