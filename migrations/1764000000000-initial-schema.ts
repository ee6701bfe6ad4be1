import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Streams, the UDP ports they hold, nodes, API keys and the audit log. Uniqueness that matters
 * (stream keys, node names, ingest ports, key prefixes) is enforced here, not only in code.
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE streams (
        id              uuid        NOT NULL DEFAULT gen_random_uuid(),
        key             text        NOT NULL,
        name            text        NOT NULL,
        enabled         boolean     NOT NULL DEFAULT true,
        ingest_protocol text        NOT NULL,
        ingest_port     integer     NOT NULL,
        fec_columns     integer,
        fec_rows        integer,
        allowed_sources text[]      NOT NULL DEFAULT '{}',
        packaging       jsonb       NOT NULL,
        renditions      jsonb       NOT NULL DEFAULT '[]',
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        version         integer     NOT NULL,
        CONSTRAINT pk_streams PRIMARY KEY (id),
        CONSTRAINT uq_streams_key UNIQUE (key),
        CONSTRAINT ck_streams_key CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
        CONSTRAINT ck_streams_ingest_protocol CHECK (ingest_protocol IN ('rtp', 'udp')),
        CONSTRAINT ck_streams_ingest_port CHECK (ingest_port BETWEEN 1024 AND 65535),
        CONSTRAINT ck_streams_fec CHECK (
          (fec_columns IS NULL AND fec_rows IS NULL) OR
          (fec_columns BETWEEN 1 AND 20 AND fec_rows BETWEEN 4 AND 20 AND fec_columns * fec_rows <= 100
           AND ingest_port <= 65531))
      )`);
    await db.query(`
      CREATE TABLE ingest_ports (
        port      integer NOT NULL,
        stream_id uuid    NOT NULL,
        purpose   text    NOT NULL,
        CONSTRAINT pk_ingest_ports PRIMARY KEY (port),
        CONSTRAINT fk_ingest_ports_stream FOREIGN KEY (stream_id) REFERENCES streams (id) ON DELETE CASCADE,
        CONSTRAINT ck_ingest_ports_purpose CHECK (purpose IN ('media', 'fec-column', 'fec-row'))
      )`);
    await db.query(`CREATE INDEX ix_ingest_ports_stream ON ingest_ports (stream_id)`);
    await db.query(`
      CREATE TABLE nodes (
        id              uuid        NOT NULL DEFAULT gen_random_uuid(),
        name            text        NOT NULL,
        role            text        NOT NULL,
        base_url        text        NOT NULL,
        region          text        NOT NULL DEFAULT '',
        weight          integer     NOT NULL DEFAULT 100,
        capacity_mbps   integer     NOT NULL DEFAULT 1000,
        enabled         boolean     NOT NULL DEFAULT true,
        status          text        NOT NULL DEFAULT 'unknown',
        last_checked_at timestamptz,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        version         integer     NOT NULL,
        CONSTRAINT pk_nodes PRIMARY KEY (id),
        CONSTRAINT uq_nodes_name UNIQUE (name),
        CONSTRAINT ck_nodes_role CHECK (role IN ('origin', 'edge')),
        CONSTRAINT ck_nodes_status CHECK (status IN ('unknown', 'up', 'down')),
        CONSTRAINT ck_nodes_weight CHECK (weight BETWEEN 0 AND 1000),
        CONSTRAINT ck_nodes_capacity CHECK (capacity_mbps > 0)
      )`);
    await db.query(`
      CREATE TABLE api_keys (
        id           uuid        NOT NULL DEFAULT gen_random_uuid(),
        name         text        NOT NULL,
        scope        text        NOT NULL,
        prefix       text        NOT NULL,
        secret_hash  text        NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at   timestamptz,
        CONSTRAINT pk_api_keys PRIMARY KEY (id),
        CONSTRAINT uq_api_keys_prefix UNIQUE (prefix),
        CONSTRAINT ck_api_keys_scope CHECK (scope IN ('admin', 'read'))
      )`);
    await db.query(`
      CREATE TABLE audit_log (
        id          bigint      GENERATED ALWAYS AS IDENTITY,
        at          timestamptz NOT NULL DEFAULT now(),
        actor       text        NOT NULL,
        action      text        NOT NULL,
        entity_type text        NOT NULL,
        entity_id   text        NOT NULL,
        changes     jsonb       NOT NULL,
        CONSTRAINT pk_audit_log PRIMARY KEY (id)
      )`);
    await db.query(`CREATE INDEX ix_audit_log_entity ON audit_log (entity_type, entity_id, id DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE audit_log`);
    await db.query(`DROP TABLE api_keys`);
    await db.query(`DROP TABLE nodes`);
    await db.query(`DROP TABLE ingest_ports`);
    await db.query(`DROP TABLE streams`);
  }
}
