import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SRT ingest: a stream's passphrase (kept as given: srt-live-transmit needs it to derive the key,
 * so it cannot be hashed like API key secrets; the API shows it once) and receive latency.
 */
export class SrtIngest1764300000000 implements MigrationInterface {
  name = 'SrtIngest1764300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE streams ADD COLUMN srt_passphrase text, ADD COLUMN srt_latency_ms integer`);
    await db.query(`ALTER TABLE streams DROP CONSTRAINT ck_streams_ingest_protocol`);
    await db.query(`ALTER TABLE streams ADD CONSTRAINT ck_streams_ingest_protocol CHECK (ingest_protocol IN ('rtp', 'udp', 'srt'))`);
    await db.query(
      `ALTER TABLE streams ADD CONSTRAINT ck_streams_srt CHECK ((ingest_protocol = 'srt') = (srt_passphrase IS NOT NULL AND srt_latency_ms IS NOT NULL))`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM streams WHERE ingest_protocol = 'srt'`);
    await db.query(`ALTER TABLE streams DROP CONSTRAINT ck_streams_srt, DROP COLUMN srt_passphrase, DROP COLUMN srt_latency_ms`);
    await db.query(`ALTER TABLE streams DROP CONSTRAINT ck_streams_ingest_protocol`);
    await db.query(`ALTER TABLE streams ADD CONSTRAINT ck_streams_ingest_protocol CHECK (ingest_protocol IN ('rtp', 'udp'))`);
  }
}
