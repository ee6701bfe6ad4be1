import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, FindOptionsWhere, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../common/principal.js';
import { ApiError } from '../common/api-error.js';
import { isUuid, violatedUniqueConstraint } from '../common/db-errors.js';
import { assertIfMatch } from '../common/etag.js';
import { Page, PageQuery, pageBounds } from '../common/pagination.dto.js';
import { publishConfigEvent } from '../events/config-event.js';
import { CreateNodeDto, NodeResponse, toNodeResponse, UpdateNodeDto } from './dto/node.dto.js';
import { NodeEntity } from './node.entity.js';
import { NODE_DEFAULTS } from './node-limits.js';

@Injectable()
export class NodesService {
  private readonly logger = new Logger('nodes');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(NodeEntity) private readonly nodes: Repository<NodeEntity>,
    private readonly audit: AuditService,
  ) {}

  async list(query: PageQuery): Promise<Page<NodeResponse>> {
    const [rows, total] = await this.nodes.findAndCount({ order: { createdAt: 'ASC', id: 'ASC' }, ...pageBounds(query) });
    return { items: rows.map(toNodeResponse), total };
  }

  /**
   * What a node's nginx was seen running: null error means the wanted config runs (and now is
   * when it was seen applied). Status, not configuration: no version bump, no audit entry, no event.
   */
  async recordConfigOutcome(name: string, error: string | null): Promise<void> {
    await this.dataSource.query(
      error === null ? 'UPDATE nodes SET config_error = NULL, config_applied_at = now() WHERE name = $1' : 'UPDATE nodes SET config_error = $2 WHERE name = $1',
      error === null ? [name] : [name, error.slice(0, 4000)],
    );
  }

  /**
   * What the last health probe saw. Status, not configuration: no version bump, no audit entry, no
   * event (plain SQL: TypeORM's update() would bump the version column and updated_at).
   */
  async recordHealth(id: string, status: NodeEntity['status'], activeConnections: number | null): Promise<void> {
    await this.dataSource.query('UPDATE nodes SET status = $2, last_checked_at = now(), active_connections = $3 WHERE id = $1', [
      id,
      status,
      activeConnections,
    ]);
  }

  /** Enabled nodes, as the health probes and edge rendering see them. */
  enabledNodes(): Promise<NodeEntity[]> {
    return this.nodes.find({ where: { enabled: true } });
  }

  async get(ref: string): Promise<NodeResponse> {
    return toNodeResponse(await this.find(this.dataSource.manager, ref, false));
  }

  async create(dto: CreateNodeDto, principal: Principal): Promise<NodeResponse> {
    const created = await this.inTransaction(async (manager) => {
      await this.assertNameFree(manager, dto.name, null);
      const node = manager.create(NodeEntity, {
        name: dto.name,
        role: dto.role,
        baseUrl: dto.baseUrl,
        internalUrl: dto.internalUrl ?? null,
        region: dto.region ?? '',
        weight: dto.weight ?? NODE_DEFAULTS.weight,
        capacityMbps: dto.capacityMbps ?? NODE_DEFAULTS.capacityMbps,
        enabled: dto.enabled ?? true,
        status: 'unknown',
        lastCheckedAt: null,
        activeConnections: null,
        configError: null,
        configAppliedAt: null,
        controlToken: randomBytes(32).toString('hex'),
      });
      await manager.save(node);
      const response = toNodeResponse(node);
      await this.audit.record(manager, principal, { action: 'create', entityType: 'node', entityId: node.id, after: response });
      await publishConfigEvent(manager, { entity: 'node', op: 'created', id: node.id, ref: node.name, version: node.version });
      return response;
    });
    this.logger.log(`created ${created.role} node ${created.name} at ${created.baseUrl}`);
    return created;
  }

  async update(ref: string, patch: UpdateNodeDto, ifMatch: string | undefined, principal: Principal): Promise<NodeResponse> {
    // PartialType's IsOptional lets null through: only internalUrl may be cleared that way.
    const nulls = Object.entries(patch).filter(([field, value]) => value === null && field !== 'internalUrl');
    if (nulls.length > 0) throw ApiError.invalid(nulls.map(([field]) => ({ field, message: 'must not be null; leave it out to keep the current value' })));
    return this.inTransaction(async (manager) => {
      const node = await this.find(manager, ref, true);
      assertIfMatch(ifMatch, node.version);
      const before = toNodeResponse(node);
      if (patch.name !== undefined && patch.name !== node.name) await this.assertNameFree(manager, patch.name, node.id);
      applyNodePatch(node, patch);
      await manager.save(node);
      const after = toNodeResponse(node);
      if (after.version === before.version) return after;
      await this.audit.record(manager, principal, { action: 'update', entityType: 'node', entityId: node.id, before, after });
      await publishConfigEvent(manager, { entity: 'node', op: 'updated', id: node.id, ref: node.name, version: node.version });
      return after;
    });
  }

  async remove(ref: string, ifMatch: string | undefined, principal: Principal): Promise<void> {
    await this.inTransaction(async (manager) => {
      const node = await this.find(manager, ref, true);
      assertIfMatch(ifMatch, node.version);
      const before = toNodeResponse(node);
      await manager.delete(NodeEntity, { id: node.id });
      await this.audit.record(manager, principal, { action: 'delete', entityType: 'node', entityId: before.id, before });
      await publishConfigEvent(manager, { entity: 'node', op: 'deleted', id: before.id, ref: before.name, version: 0 });
    });
    this.logger.log(`deleted node ${ref}`);
  }

  private async find(manager: EntityManager, ref: string, forUpdate: boolean): Promise<NodeEntity> {
    const where: FindOptionsWhere<NodeEntity> = isUuid(ref) ? { id: ref.toLowerCase() } : { name: ref };
    const node = await manager.findOne(NodeEntity, { where, ...(forUpdate ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!node) throw ApiError.notFound('node', ref);
    return node;
  }

  private async assertNameFree(manager: EntityManager, name: string, exceptId: string | null): Promise<void> {
    const holder = await manager.findOne(NodeEntity, { where: { name }, select: { id: true } });
    if (holder && holder.id !== exceptId) throw ApiError.conflict('name', `a node named "${name}" already exists`);
  }

  private async inTransaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (error) {
      if (violatedUniqueConstraint(error) === 'uq_nodes_name') throw ApiError.conflict('name', 'a node with this name already exists');
      throw error;
    }
  }
}

/** Each field a PATCH may change, applied by name (null was refused above, except internalUrl's). */
function applyNodePatch(node: NodeEntity, patch: UpdateNodeDto): void {
  if (patch.name !== undefined) node.name = patch.name;
  if (patch.role !== undefined) node.role = patch.role;
  if (patch.baseUrl !== undefined) node.baseUrl = patch.baseUrl;
  if (patch.internalUrl !== undefined) node.internalUrl = patch.internalUrl;
  if (patch.region !== undefined) node.region = patch.region;
  if (patch.weight !== undefined) node.weight = patch.weight;
  if (patch.capacityMbps !== undefined) node.capacityMbps = patch.capacityMbps;
  if (patch.enabled !== undefined) node.enabled = patch.enabled;
}
