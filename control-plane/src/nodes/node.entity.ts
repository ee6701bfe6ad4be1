import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique, UpdateDateColumn, VersionColumn } from 'typeorm';
import { NODE_DEFAULTS } from './node-limits.js';

export type NodeRole = 'origin' | 'edge';
export type NodeStatus = 'unknown' | 'up' | 'down';

@Entity({ name: 'nodes' })
@Unique('uq_nodes_name', ['name'])
export class NodeEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  role: NodeRole;

  @Column({ name: 'base_url', type: 'text' })
  baseUrl: string;

  /** Where the control plane reaches the node (health checks, purge) when players use another address; null: baseUrl. */
  @Column({ name: 'internal_url', type: 'text', nullable: true })
  internalUrl: string | null;

  @Column({ type: 'text', default: '' })
  region: string;

  @Column({ type: 'integer', default: NODE_DEFAULTS.weight })
  weight: number;

  @Column({ name: 'capacity_mbps', type: 'integer', default: NODE_DEFAULTS.capacityMbps })
  capacityMbps: number;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  /** Written by the health checker, never by the API. */
  @Column({ type: 'text', default: 'unknown' })
  status: NodeStatus;

  @Column({ name: 'last_checked_at', type: 'timestamptz', nullable: true })
  lastCheckedAt: Date | null;

  /** Open client connections from the node's nginx status at the last check (load for steering). */
  @Column({ name: 'active_connections', type: 'integer', nullable: true })
  activeConnections: number | null;

  /** Why the last rendered nginx config was refused by `nginx -t`; null when it was applied. */
  @Column({ name: 'config_error', type: 'text', nullable: true })
  configError: string | null;

  @Column({ name: 'config_applied_at', type: 'timestamptz', nullable: true })
  configAppliedAt: Date | null;

  /** Secret the node's purge endpoint requires; only rendered configs carry it. */
  @Column({ name: 'control_token', type: 'text', select: false })
  controlToken: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn({ type: 'integer' })
  version: number;
}
