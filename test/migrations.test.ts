import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../control-plane/src/database/data-source.js';
import { ENTITIES } from '../control-plane/src/entities.js';
import { MIGRATIONS } from '../migrations/index.js';
import { createTestDatabase, TestDatabase } from './support/database.js';

const TABLES = ['api_keys', 'audit_log', 'ingest_ports', 'nodes', 'streams', 'url_signing_keys'];

describe('migrations', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  before(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions(database.url, ENTITIES)).initialize();
  });
  after(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  const userTables = async (): Promise<string[]> =>
    (await dataSource.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY 1`)).map(
      (r: { tablename: string }) => r.tablename,
    );

  it('run every migration up and down on an empty database, twice', async () => {
    assert.deepEqual(await userTables(), []);
    for (let round = 0; round < 2; round++) {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      assert.equal(applied.length, MIGRATIONS.length);
      assert.deepEqual(await userTables(), TABLES);
      assert.equal(await dataSource.showMigrations(), false, 'nothing left to run');
      for (let i = 0; i < MIGRATIONS.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
      assert.deepEqual(await userTables(), [], `round ${round}: down leaves no tables behind`);
      assert.equal(await dataSource.showMigrations(), true);
    }
  });

  it('the schema matches the entities (no drift between migrations and code)', async () => {
    await dataSource.runMigrations({ transaction: 'each' });
    const pending = await dataSource.driver.createSchemaBuilder().log();
    const statements = pending.upQueries.map((q) => q.query);
    // Entities declare columns, unique constraints, indexes and foreign keys by the migrations' names,
    // so any difference in those is drift. CHECK constraints live only in migrations (entities
    // cannot state them without a second copy of each rule).
    const drift = statements.filter((q) => !/^ALTER TABLE "\w+" DROP CONSTRAINT "ck_\w+"$/.test(q));
    assert.deepEqual(drift, []);
  });

  it('the database itself refuses duplicate ports and keys and out-of-range values', async () => {
    await dataSource.runMigrations({ transaction: 'each' }); // a no-op when an earlier test left them applied
    await dataSource.query(`INSERT INTO streams (id, key, name, ingest_protocol, ingest_port, packaging, version)
      VALUES ('00000000-0000-4000-8000-000000000001', 'a', 'a', 'rtp', 5000, '{}', 1)`);
    await dataSource.query(`INSERT INTO ingest_ports (port, stream_id, purpose) VALUES (5000, '00000000-0000-4000-8000-000000000001', 'media')`);
    await assert.rejects(
      dataSource.query(`INSERT INTO ingest_ports (port, stream_id, purpose) VALUES (5000, '00000000-0000-4000-8000-000000000001', 'fec-row')`),
      /pk_ingest_ports/,
    );
    await assert.rejects(
      dataSource.query(`INSERT INTO streams (key, name, ingest_protocol, ingest_port, packaging, version) VALUES ('a', 'b', 'rtp', 6000, '{}', 1)`),
      /uq_streams_key/,
    );
    await assert.rejects(
      dataSource.query(`INSERT INTO streams (key, name, ingest_protocol, ingest_port, packaging, version) VALUES ('c', 'c', 'rtp', 80, '{}', 1)`),
      /ck_streams_ingest_port/,
    );
    await assert.rejects(
      dataSource.query(
        `INSERT INTO streams (key, name, ingest_protocol, ingest_port, fec_columns, fec_rows, packaging, version) VALUES ('d', 'd', 'rtp', 6000, 20, 20, '{}', 1)`,
      ),
      /ck_streams_fec/,
    );
    await dataSource.query(`DELETE FROM streams`);
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM ingest_ports`);
    assert.equal(n, 0, 'ports are released with their stream');
  });
});
