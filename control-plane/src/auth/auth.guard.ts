import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ApiError, ErrorCode } from '../common/api-error.js';
import { ADMIN_ONLY } from './admin-only.decorator.js';
import { ApiKeysService } from './api-keys.service.js';
import { ADMIN_TOKEN } from './auth.tokens.js';
import { IS_PUBLIC } from './public.decorator.js';
import type { Principal } from '../common/principal.js';
import { secretsEqual } from './secrets.js';

const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * Global guard. 401: no token or an unknown/revoked one. 403: a read-scope key asking to write,
 * or to read an admin-only resource.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
    @Inject(ADMIN_TOKEN) private readonly adminToken: string,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const principal = await this.authenticate(request.headers.authorization);
    const adminOnly = this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets);
    if (principal.scope !== 'admin' && (adminOnly || !READ_METHODS.has(request.method))) {
      throw new ApiError(ErrorCode.Forbidden, `the "${principal.name}" key has read scope; this needs an admin key`);
    }
    request.principal = principal;
    return true;
  }

  private async authenticate(header: string | undefined): Promise<Principal> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match) throw new ApiError(ErrorCode.Unauthorized, 'missing bearer token: send "Authorization: Bearer <token>"');
    const token = match[1];
    if (secretsEqual(token, this.adminToken)) return { kind: 'admin-token', keyId: null, name: 'admin-token', scope: 'admin' };
    const principal = await this.apiKeys.authenticate(token);
    if (!principal) throw new ApiError(ErrorCode.Unauthorized, 'invalid or revoked token');
    return principal;
  }
}
