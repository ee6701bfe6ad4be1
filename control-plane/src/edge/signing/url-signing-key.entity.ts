import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** An HMAC key for playback tokens. The newest unretired key signs; it and the one before verify. */
@Entity({ name: 'url_signing_keys' })
export class UrlSigningKeyEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  secret: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt: Date | null;
}
