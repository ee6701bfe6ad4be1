import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, UpdateDateColumn, VersionColumn } from 'typeorm';
import type { IngestProtocol } from './stream-limits.js';

export interface PackagingSettings {
  segmentSeconds: number;
  windowSegments: number;
  lowLatency: boolean;
  partSeconds: number;
  dvrSeconds: number;
}

export interface RenditionSettings {
  name: string;
  width: number;
  height: number;
  videoKbps: number;
  frameRate?: number;
  /** SSIM under which the rung's measured quality is flagged. */
  minSsim?: number;
}

@Entity({ name: 'streams' })
@Unique('uq_streams_key', ['key'])
export class StreamEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  key: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ name: 'ingest_protocol', type: 'text' })
  ingestProtocol: IngestProtocol;

  /** null for RTMP, whose streams share the RTMP port. */
  @Column({ name: 'ingest_port', type: 'integer', nullable: true })
  ingestPort: number | null;

  @Column({ name: 'fec_columns', type: 'integer', nullable: true })
  fecColumns: number | null;

  @Column({ name: 'fec_rows', type: 'integer', nullable: true })
  fecRows: number | null;

  /** SRT only: the passphrase the sender must give (kept as given: libsrt derives the key from it). */
  @Column({ name: 'srt_passphrase', type: 'text', nullable: true })
  srtPassphrase: string | null;

  @Column({ name: 'srt_latency_ms', type: 'integer', nullable: true })
  srtLatencyMs: number | null;

  /** RIST only: the receive buffer (and playout delay), ms. */
  @Column({ name: 'rist_buffer_ms', type: 'integer', nullable: true })
  ristBufferMs: number | null;

  /** RTMP only: SHA-256 (hex) of the publish secret; the secret itself is shown once and not kept. */
  @Column({ name: 'rtmp_secret_sha256', type: 'text', nullable: true })
  rtmpSecretSha256: string | null;

  @Column({ name: 'allowed_sources', type: 'text', array: true, default: () => "'{}'" })
  allowedSources: string[];

  @Column({ type: 'jsonb' })
  packaging: PackagingSettings;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  renditions: RenditionSettings[];

  /** Edges answer 403 unless the request carries a valid playback token for this stream. */
  @Column({ name: 'signed_urls', type: 'boolean', default: false })
  signedUrls: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn({ type: 'integer' })
  version: number;
}

/** One UDP port held by a stream; the primary key makes the database refuse a second holder. */
@Entity({ name: 'ingest_ports' })
export class IngestPortEntity {
  @Column({ type: 'integer', primary: true })
  port: number;

  @Index('ix_ingest_ports_stream')
  @Column({ name: 'stream_id', type: 'uuid' })
  streamId: string;

  /** Declared for the foreign key (a stream's ports go with it); never loaded. */
  @ManyToOne(() => StreamEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'stream_id', foreignKeyConstraintName: 'fk_ingest_ports_stream' })
  stream?: StreamEntity;

  @Column({ type: 'text' })
  purpose: string;
}
