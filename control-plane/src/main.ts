import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { resolveAdminToken } from './auth/admin-token.js';
import { AppConfig, ConfigError, loadConfig } from './config/app-config.js';
import { openDatabase } from './database/data-source.js';
import { ENTITIES } from './entities.js';
import { RunningDatabase, startEmbeddedPostgres } from './database/embedded-postgres.js';
import { createHttpApp } from './http-app.js';
import { playbackPath } from './media/hls-layout.js';

/** Shutdown must finish well before a supervisor's kill timeout (docker: 10 s). */
const SHUTDOWN_TIMEOUT_MS = 8000;

async function main(): Promise<void> {
  const logger = new Logger('main');
  const config = loadConfig();
  const stack: { name: string; stop: () => Promise<unknown> }[] = [];
  let stopping = false;
  const shutdown = async (signal: string, exitCode = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}, stopping`);
    const timer = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    for (const part of stack.reverse()) {
      await part.stop().catch((error: Error) => logger.error(`stopping ${part.name} failed: ${error.message}`));
    }
    clearTimeout(timer);
    logger.log('stopped');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void shutdown('SIGINT received'));
  process.on('SIGTERM', () => void shutdown('SIGTERM received'));
  try {
    await startParts(config, stack, () => stopping);
  } catch (error) {
    // What started (PostgreSQL, nginx) is stopped, not left holding ports for the next start.
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    logger.error(`start-up failed: ${message}`);
    await shutdown('start-up failed', 1);
  }
}

async function startParts(config: AppConfig, stack: { name: string; stop: () => Promise<unknown> }[], stopping: () => boolean): Promise<void> {
  const logger = new Logger('main');

  let database: RunningDatabase | null = null;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    database = await startEmbeddedPostgres(config.dataDir, new Logger('postgres'));
    stack.push({ name: 'PostgreSQL', stop: database.stop });
    databaseUrl = database.url;
  }
  const dataSource = await openDatabase(databaseUrl, ENTITIES);
  // Nest's TypeORM module destroys the pool on close; this covers a failure before the app exists.
  stack.push({ name: 'database pool', stop: async () => dataSource.isInitialized && dataSource.destroy() });
  const admin = await resolveAdminToken(config.adminToken, config.dataDir);
  const app = await createHttpApp({ config, dataSource, databaseUrl, adminToken: admin.token, media: { ingest: true, origin: config.localOrigin } });
  stack.push({ name: 'HTTP API', stop: () => app.close() });
  await app.listen(config.port, config.host);
  if (stopping()) return;

  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  logger.log(`console      http://${shown}:${config.port}/  (sign in with the admin token below, or an API key)`);
  logger.log(`API          http://${shown}:${config.port}/api/v1`);
  logger.log(`API docs     http://${shown}:${config.port}/api/docs`);
  logger.log(`playback     http://${shown}:${config.hlsHttpPort}${playbackPath('<key>')}`);
  if (config.hlsEdgePort !== null) logger.log(`edge         http://${shown}:${config.hlsEdgePort}${playbackPath('<key>')}  (steering: /steering/<key>.json)`);
  logger.log(`metrics      http://${shown}:${config.port}/metrics`);
  logger.log(`database     ${database ? `embedded, data in ${config.dataDir}/pg` : 'DATABASE_URL'}`);
  logger.log(
    admin.file ? `admin token  ${admin.token}  (generated, kept in ${admin.file}; set HLS_ADMIN_TOKEN to choose one)` : 'admin token  from HLS_ADMIN_TOKEN',
  );
  logger.log('ready; Ctrl-C stops everything');
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  new Logger('main').error(`start-up failed: ${message}`);
  process.exit(1);
});
