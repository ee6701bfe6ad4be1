import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

export type NodeRole = 'origin' | 'edge';
export type NodeStatus = 'unknown' | 'up' | 'down';

@Entity({ name: 'nodes' })
export class NodeEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  role: NodeRole;

  @Column({ name: 'base_url', type: 'text' })
  baseUrl: string;

  @Column({ type: 'text', default: '' })
  region: string;

  @Column({ type: 'integer', default: 100 })
  weight: number;

  @Column({ name: 'capacity_mbps', type: 'integer', default: 1000 })
  capacityMbps: number;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  /** Written by the health checker, never by the API. */
  @Column({ type: 'text', default: 'unknown' })
  status: NodeStatus;

  @Column({ name: 'last_checked_at', type: 'timestamptz', nullable: true })
  lastCheckedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn({ type: 'integer' })
  version: number;
}
