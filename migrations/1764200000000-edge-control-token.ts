import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A node's shared secret guards more than purges (the access-log pull, and edges presenting it to
 * their origin): it is named for what it is, the edge control token.
 */
export class EdgeControlToken1764200000000 implements MigrationInterface {
  name = 'EdgeControlToken1764200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE nodes RENAME COLUMN purge_token TO control_token`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE nodes RENAME COLUMN control_token TO purge_token`);
  }
}
