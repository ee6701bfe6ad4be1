import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { EdgeModule } from './edge/edge.module.js';
import { EdgeFillModule } from './edge-fill/edge-fill.module.js';
import { EventsModule } from './events/events.module.js';
import { HealthModule } from './health/health.module.js';
import { IngestModule } from './ingest/ingest.module.js';
import { ConsoleModule } from './console/console.module.js';
import { StreamHistoryModule } from './telemetry/stream-history.module.js';
import { TelemetryModule } from './telemetry/telemetry.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PlainRoutesModule } from './common/plain-routes.js';
import { NodesModule } from './nodes/nodes.module.js';
import { PlayerModule } from './player/player.module.js';
import { StreamsModule } from './streams/streams.module.js';

export interface AppDependencies {
  config: AppConfig;
  /** Opened and migrated before Nest starts, so a schema problem stops boot with a clear error. */
  dataSource: DataSource;
  databaseUrl: string;
  adminToken: string;
  /** The media side: ingest workers and the supervised origin nginx. Off for API-only tests. */
  media?: { ingest: boolean; origin: boolean };
}

@Module({})
export class AppModule {
  static register(deps: AppDependencies): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.register(deps.config, deps.databaseUrl),
        TypeOrmModule.forRootAsync({
          useFactory: () => deps.dataSource.options,
          dataSourceFactory: async () => deps.dataSource,
        }),
        EventsModule,
        TelemetryModule,
        MetricsModule,
        PlainRoutesModule,
        AuditModule,
        AuthModule.register(deps.adminToken),
        StreamsModule,
        NodesModule,
        HealthModule,
        PlayerModule,
        ConsoleModule,
        EdgeModule.register({ runtime: Boolean(deps.media?.ingest), localOrigin: Boolean(deps.media?.origin) }),
        ...(deps.media?.ingest ? [IngestModule, StreamHistoryModule, EdgeFillModule] : []),
      ],
    };
  }
}
