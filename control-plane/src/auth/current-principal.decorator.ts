import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Principal } from '../common/principal.js';

/** The authenticated caller, as the auth guard attached it to the request. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => context.switchToHttp().getRequest().principal);
