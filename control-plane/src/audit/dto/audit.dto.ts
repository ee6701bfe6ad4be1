import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQuery } from '../../common/pagination.dto.js';
import type { AuditEntryEntity } from '../audit-entry.entity.js';

export const AUDITED_ENTITY_TYPES = ['stream', 'node', 'api-key', 'signing-key'] as const;

export class AuditQuery extends PageQuery {
  @ApiPropertyOptional({ enum: AUDITED_ENTITY_TYPES })
  @IsOptional()
  @IsIn(AUDITED_ENTITY_TYPES)
  entityType?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  entityId?: string;
}

export class AuditEntryResponse {
  @ApiProperty() id: string;
  @ApiProperty() at: string;
  @ApiProperty({ example: 'admin-token' }) actor: string;
  @ApiProperty({ enum: ['create', 'update', 'delete', 'revoke'] }) action: string;
  @ApiProperty({ enum: AUDITED_ENTITY_TYPES }) entityType: string;
  @ApiProperty() entityId: string;
  @ApiProperty({ description: 'create: {after}; delete: {before}; update: {"field.path": {from, to}}' })
  changes: Record<string, unknown>;
}

export class AuditPage {
  @ApiProperty({ type: [AuditEntryResponse] }) items: AuditEntryResponse[];
  @ApiProperty() total: number;
}

export function toAuditEntryResponse(entry: AuditEntryEntity): AuditEntryResponse {
  return {
    id: String(entry.id),
    at: entry.at.toISOString(),
    actor: entry.actor,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    changes: entry.changes,
  };
}
