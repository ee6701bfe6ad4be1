import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../common/principal.js';
import { CurrentPrincipal } from './current-principal.decorator.js';

export class SessionResponse {
  @ApiProperty({ description: 'The key\'s name ("admin-token" for the bootstrap token)' }) name: string;
  @ApiProperty({ enum: ['admin', 'read'], description: 'read: may GET everything but the key list, change nothing' }) scope: string;
  @ApiProperty({ enum: ['admin-token', 'api-key'] }) kind: string;
}

/** Who the presented key is, so a client (the console) can sign in and hide what the key may not do. */
@ApiTags('api-keys')
@ApiBearerAuth()
@Controller('api/v1/session')
export class SessionController {
  @Get()
  @ApiOkResponse({ type: SessionResponse })
  session(@CurrentPrincipal() principal: Principal): SessionResponse {
    return { name: principal.name, scope: principal.scope, kind: principal.kind };
  }
}
