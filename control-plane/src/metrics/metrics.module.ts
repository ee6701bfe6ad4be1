import { Global, Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { MetricsController } from './metrics.controller.js';

/**
 * The one Prometheus registry of this control plane: ingest and edge modules register their
 * metrics on it, GET /metrics renders it.
 */
@Global()
@Module({ providers: [{ provide: Registry, useFactory: () => new Registry() }], controllers: [MetricsController], exports: [Registry] })
export class MetricsModule {}
