import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations/index.js';

/** Pool size: the API is light; ingest and rendering add a few connections of their own. */
const POOL_SIZE = 10;
/**
 * How long a request waits for the database, at each step: a free connection from the pool, a
 * statement on the server, an answer on the wire (a stalled server runs no statement timeout).
 * Past these the API answers 503 with Retry-After instead of hanging, and a change that timed out
 * is rolled back rather than applied after its client gave up.
 */
export const DATABASE_WAIT_MS = 5000;

/** Entity classes: the composition root's list (control-plane/src/entities.ts). */
export type EntityList = NonNullable<DataSourceOptions['entities']>;

export function dataSourceOptions(url: string, entities: EntityList): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    // The schema changes only through migrations/, never by comparing entities to tables.
    synchronize: false,
    migrationsRun: false,
    extra: {
      max: POOL_SIZE,
      application_name: 'hls-control-plane',
      connectionTimeoutMillis: DATABASE_WAIT_MS,
      statement_timeout: DATABASE_WAIT_MS,
      query_timeout: DATABASE_WAIT_MS + 1000,
    },
  };
}

/** Opens a data source and brings the schema up to date; migrations run in one transaction each. */
export async function openDatabase(url: string, entities: EntityList): Promise<DataSource> {
  const dataSource = new DataSource(dataSourceOptions(url, entities));
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}
