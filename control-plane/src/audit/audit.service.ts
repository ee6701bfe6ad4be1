import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { Principal } from '../common/principal.js';
import { Page, pageBounds } from '../common/pagination.dto.js';
import { AuditAction, AuditEntryEntity } from './audit-entry.entity.js';
import { AuditQuery, AuditEntryResponse, toAuditEntryResponse } from './dto/audit.dto.js';
import { diffObjects } from './diff.js';

export interface AuditChange {
  action: AuditAction;
  entityType: string;
  entityId: string;
  before?: object;
  after?: object;
}

@Injectable()
export class AuditService {
  constructor(@InjectRepository(AuditEntryEntity) private readonly entries: Repository<AuditEntryEntity>) {}

  /**
   * Records a change inside the caller's transaction, so the entry exists exactly when the
   * change does. Updates store only the changed fields; creates and deletes the whole object.
   */
  async record(manager: EntityManager, principal: Principal, change: AuditChange): Promise<void> {
    let changes: Record<string, unknown>;
    if (change.before && change.after) changes = diffObjects(change.before, change.after);
    else changes = change.after ? { after: change.after } : { before: change.before ?? null };
    const entry = manager.create(AuditEntryEntity, {
      actor: actorOf(principal),
      action: change.action,
      entityType: change.entityType,
      entityId: change.entityId,
      changes,
    });
    await manager.save(entry);
  }

  async list(query: AuditQuery): Promise<Page<AuditEntryResponse>> {
    const where: Partial<AuditEntryEntity> = {};
    if (query.entityType) where.entityType = query.entityType;
    if (query.entityId) where.entityId = query.entityId;
    const [rows, total] = await this.entries.findAndCount({ where, order: { id: 'DESC' }, ...pageBounds(query) });
    return { items: rows.map(toAuditEntryResponse), total };
  }
}

/** How a principal is named in the audit log. */
export function actorOf(principal: Principal): string {
  if (principal.kind === 'system') return `system:${principal.name}`;
  return principal.kind === 'admin-token' ? 'admin-token' : `api-key:${principal.name} (${principal.keyId})`;
}
