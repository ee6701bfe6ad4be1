import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppDependencies, AppModule } from './app.module.js';
import { ApiExceptionFilter } from './common/api-exception.filter.js';
import { InputGuardPipe } from './common/input-guard.js';
import { createValidationPipe } from './common/validation.js';

/** Largest API body: a stream with a full ladder is a few kB; anything near this is abuse. */
export const MAX_BODY_BYTES = 256 * 1024;

/** Builds the HTTP application (not listening yet): shared by `npm start` and the tests. */
export async function createHttpApp(deps: AppDependencies, logger?: LoggerService | false): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(deps), {
    logger: logger ?? undefined,
    bodyParser: false,
  });
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
