import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../../auth/admin-only.decorator.js';
import { CurrentPrincipal } from '../../auth/current-principal.decorator.js';
import type { Principal } from '../../common/principal.js';
import { IssueTokenDto, PlaybackTokenResponse, SigningKeyResponse } from '../dto/signing.dto.js';
import { SigningKeysService } from './signing-keys.service.js';

@ApiTags('signed URLs')
@ApiBearerAuth()
@Controller('api/v1')
export class SigningController {
  constructor(private readonly keys: SigningKeysService) {}

  @Post('streams/:ref/tokens')
  @ApiCreatedResponse({ type: PlaybackTokenResponse, description: 'ref is the stream id or key' })
  issue(@Param('ref') ref: string, @Body() body: IssueTokenDto): Promise<PlaybackTokenResponse> {
    return this.keys.issue(ref, body);
  }

  @Get('signing-keys')
  @AdminOnly()
  @ApiOkResponse({ type: [SigningKeyResponse], description: 'Secrets are never returned' })
  list(): Promise<SigningKeyResponse[]> {
    return this.keys.list();
  }

  @Post('signing-keys/rotate')
  @HttpCode(200)
  @ApiOkResponse({ type: [SigningKeyResponse] })
  rotate(@CurrentPrincipal() principal: Principal): Promise<SigningKeyResponse[]> {
    return this.keys.rotate(principal);
  }
}
