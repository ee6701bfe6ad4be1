import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import supertest from 'supertest';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../control-plane/src/config/app-config.js';
import { openDatabase } from '../../control-plane/src/database/data-source.js';
import { ENTITIES } from '../../control-plane/src/entities.js';
import { createHttpApp } from '../../control-plane/src/http-app.js';
import { createTestDatabase } from './database.js';

export const ADMIN_TOKEN = 'test-admin-token';

export interface TestApi {
  app: INestApplication;
  dataSource: DataSource;
  databaseUrl: string;
  /** supertest against the in-process server. */
  request: () => supertest.Agent;
  /** Authorization header for the bootstrap admin token. */
  admin: { Authorization: string };
  close(): Promise<void>;
}

/** The real HTTP application on a fresh, migrated database; nothing faked. */
export async function startTestApi(): Promise<TestApi> {
  const database = await createTestDatabase();
  const dataSource = await openDatabase(database.url, ENTITIES);
  const config = loadConfig({ DATA_DIR: '/nonexistent-test-data' });
  const app = await createHttpApp({ config, dataSource, databaseUrl: database.url, adminToken: ADMIN_TOKEN }, false);
  await app.init();
  const server = app.getHttpServer();
  return {
    app,
    dataSource,
    databaseUrl: database.url,
    request: () => supertest.agent(server),
    admin: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}

/** A valid stream body; override what a test is about. */
export function streamBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { key: 'demo', name: 'Demo', ingest: { protocol: 'rtp', port: 5000, fec: { columns: 5, rows: 10 } }, ...overrides };
}
