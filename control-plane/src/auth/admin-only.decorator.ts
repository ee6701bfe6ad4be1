import { SetMetadata } from '@nestjs/common';

export const ADMIN_ONLY = 'hls:admin-only';

/** Marks a route that even a read-scope key may not GET (it would reveal secrets or key holders). */
export const AdminOnly = (): MethodDecorator & ClassDecorator => SetMetadata(ADMIN_ONLY, true);
