import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The edge tier: streams that require signed playback URLs, the HMAC keys that sign them (two are
 * valid at once so keys rotate without breaking players), and what the control plane learns
 * about each node (the outcome of rendering its nginx config, its load from nginx's status).
 */
export class EdgeTier1764100000000 implements MigrationInterface {
  name = 'EdgeTier1764100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE streams ADD COLUMN signed_urls boolean NOT NULL DEFAULT false`);
    await db.query(`
      CREATE TABLE url_signing_keys (
        id         text        NOT NULL,
        secret     text        NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz,
        CONSTRAINT pk_url_signing_keys PRIMARY KEY (id),
        CONSTRAINT ck_url_signing_keys_id CHECK (id ~ '^[a-z0-9]{1,16}$'),
        CONSTRAINT ck_url_signing_keys_secret CHECK (length(secret) >= 32)
      )`);
    await db.query(`ALTER TABLE nodes ADD COLUMN config_error text`);
    await db.query(`ALTER TABLE nodes ADD COLUMN config_applied_at timestamptz`);
    await db.query(`ALTER TABLE nodes ADD COLUMN active_connections integer`);
    // Where the control plane reaches a node when players use another address (containers, NAT).
    await db.query(`ALTER TABLE nodes ADD COLUMN internal_url text`);
    // The shared secret a node's purge endpoint asks for; rendered into its config, never returned by the API.
    await db.query(`ALTER TABLE nodes ADD COLUMN purge_token text`);
    await db.query(`UPDATE nodes SET purge_token = replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')`);
    await db.query(`ALTER TABLE nodes ALTER COLUMN purge_token SET NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE nodes DROP COLUMN purge_token`);
    await db.query(`ALTER TABLE nodes DROP COLUMN internal_url`);
    await db.query(`ALTER TABLE nodes DROP COLUMN active_connections`);
    await db.query(`ALTER TABLE nodes DROP COLUMN config_applied_at`);
    await db.query(`ALTER TABLE nodes DROP COLUMN config_error`);
    await db.query(`DROP TABLE url_signing_keys`);
    await db.query(`ALTER TABLE streams DROP COLUMN signed_urls`);
  }
}
