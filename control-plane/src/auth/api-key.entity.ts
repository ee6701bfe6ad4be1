import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { Scope } from '../common/principal.js';

@Entity({ name: 'api_keys' })
@Unique('uq_api_keys_prefix', ['prefix'])
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  scope: Scope;

  /** Public, unique part of the secret, used to find the row without scanning hashes. */
  @Column({ type: 'text' })
  prefix: string;

  /** SHA-256 of the whole secret, hex. Secrets are 192 random bits, so a fast hash is enough. */
  @Column({ name: 'secret_hash', type: 'text' })
  secretHash: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
