import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'hls:public';

/** Marks a route that needs no token: health probes, the OpenAPI document. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
