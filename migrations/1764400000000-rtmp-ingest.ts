import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * RTMP ingest: every RTMP stream publishes to the one RTMP port (RTMP_PORT), addressed by its key,
 * so it has no UDP port of its own (ingest_port is NULL exactly for RTMP). Its publish secret is
 * kept as a SHA-256 digest: only the on_publish check needs it, and the API shows it once.
 */
export class RtmpIngest1764400000000 implements MigrationInterface {
  name = 'RtmpIngest1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE streams ADD COLUMN rtmp_secret_sha256 text`);
    await db.query(`ALTER TABLE streams ALTER COLUMN ingest_port DROP NOT NULL`);
    await db.query(`ALTER TABLE streams DROP CONSTRAINT ck_streams_ingest_protocol`);
    await db.query(`ALTER TABLE streams ADD CONSTRAINT ck_streams_ingest_protocol CHECK (ingest_protocol IN ('rtp', 'udp', 'srt', 'rtmp'))`);
    await db.query(
      `ALTER TABLE streams ADD CONSTRAINT ck_streams_rtmp CHECK ((ingest_protocol = 'rtmp') = (rtmp_secret_sha256 IS NOT NULL AND ingest_port IS NULL))`,
    );
    await db.query(`ALTER TABLE streams ADD CONSTRAINT ck_streams_rtmp_secret CHECK (rtmp_secret_sha256 ~ '^[0-9a-f]{64}$')`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM streams WHERE ingest_protocol = 'rtmp'`);
    await db.query(`ALTER TABLE streams DROP CONSTRAINT ck_streams_rtmp, DROP CONSTRAINT ck_streams_rtmp_secret, DROP COLUMN rtmp_secret_sha256`);
    await db.query(`ALTER TABLE streams ALTER COLUMN ingest_port SET NOT NULL`);
    await db.query(`ALTER TABLE streams DROP CONSTRAINT ck_streams_ingest_protocol`);
    await db.query(`ALTER TABLE streams ADD CONSTRAINT ck_streams_ingest_protocol CHECK (ingest_protocol IN ('rtp', 'udp', 'srt'))`);
  }
}
