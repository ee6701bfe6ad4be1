import { Global, Module } from '@nestjs/common';
import { Registry } from 'prom-client';

/**
 * The one Prometheus registry of this control plane: ingest and edge modules register their
 * metrics on it, GET /metrics renders it.
 */
@Global()
@Module({ providers: [{ provide: Registry, useFactory: () => new Registry() }], exports: [Registry] })
export class MetricsModule {}
