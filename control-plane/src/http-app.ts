import type { INestApplication, LoggerService } from '@nestjs/common';
import type { Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppDependencies, AppModule } from './app.module.js';
import { ApiExceptionFilter } from './common/api-exception.filter.js';
import { InputGuardPipe } from './common/input-guard.js';
import { PlainRoutes } from './common/plain-routes.js';
import { createValidationPipe } from './common/validation.js';

/** Largest API body: a stream with a full ladder is a few kB; anything near this is abuse. */
export const MAX_BODY_BYTES = 256 * 1024;
/** How long an idle HTTP connection stays open (node's default, stated: the nginx templates depend on it). */
const KEEP_ALIVE_MS = 5000;

/** Builds the HTTP application (not listening yet): shared by `npm start` and the tests. */
export async function createHttpApp(deps: AppDependencies, logger?: LoggerService | false): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(deps), {
    logger: logger ?? undefined,
    bodyParser: false,
  });
  // The held LL-HLS requests are answered before Express (plain-routes.ts).
  const server = app.getHttpServer() as Server;
  app.get(PlainRoutes).install(server);
  // nginx keeps idle connections to us for 4 s (keepalive_timeout in nginx/*.conf.template): less
  // than this, so it never sends a request on a connection we are closing.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  app.useBodyParser('json', { limit: MAX_BODY_BYTES });
  app.useGlobalPipes(new InputGuardPipe(), createValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('HLS origin control plane')
      .setDescription('Streams, nodes, API keys and the audit log of a live HLS origin and edge.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
  return app;
}
