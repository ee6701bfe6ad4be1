import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * RIST ingest (Simple Profile): RTP on an even port, RTCP on the next, which the stream claims
 * too (ingest_ports purpose 'rtcp'); a receive buffer per stream.
 */
export class RistIngest1764500000000 implements MigrationInterface {
  name = 'RistIngest1764500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE streams ADD COLUMN rist_buffer_ms integer`);
    await db.query(`ALTER TABLE streams DROP CONSTRAINT ck_streams_ingest_protocol`);
    await db.query(`ALTER TABLE streams ADD CONSTRAINT ck_streams_ingest_protocol CHECK (ingest_protocol IN ('rtp', 'udp', 'srt', 'rtmp', 'rist'))`);
    await db.query(
      `ALTER TABLE streams ADD CONSTRAINT ck_streams_rist CHECK ((ingest_protocol = 'rist') = (rist_buffer_ms IS NOT NULL) AND (ingest_protocol <> 'rist' OR ingest_port % 2 = 0))`,
    );
    await db.query(`ALTER TABLE ingest_ports DROP CONSTRAINT ck_ingest_ports_purpose`);
    await db.query(`ALTER TABLE ingest_ports ADD CONSTRAINT ck_ingest_ports_purpose CHECK (purpose IN ('media', 'fec-column', 'fec-row', 'rtcp'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM streams WHERE ingest_protocol = 'rist'`);
    await db.query(`ALTER TABLE ingest_ports DROP CONSTRAINT ck_ingest_ports_purpose`);
    await db.query(`ALTER TABLE ingest_ports ADD CONSTRAINT ck_ingest_ports_purpose CHECK (purpose IN ('media', 'fec-column', 'fec-row'))`);
    await db.query(`ALTER TABLE streams DROP CONSTRAINT ck_streams_rist, DROP COLUMN rist_buffer_ms`);
    await db.query(`ALTER TABLE streams DROP CONSTRAINT ck_streams_ingest_protocol`);
    await db.query(`ALTER TABLE streams ADD CONSTRAINT ck_streams_ingest_protocol CHECK (ingest_protocol IN ('rtp', 'udp', 'srt', 'rtmp'))`);
  }
}
