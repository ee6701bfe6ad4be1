import { SLUG_MESSAGE } from '../../common/slug.js';
import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min } from 'class-validator';
import { MAX_NODE_WEIGHT, NODE_DEFAULTS, NODE_NAME_PATTERN } from '../node-limits.js';
import type { NodeEntity, NodeRole, NodeStatus } from '../node.entity.js';

export const NODE_ROLES: readonly NodeRole[] = ['origin', 'edge'];

const URL_RULES = { protocols: ['http', 'https'], require_protocol: true, require_tld: false, allow_underscores: true };

export class CreateNodeDto {
  @ApiProperty({ example: 'edge-eu-1', pattern: NODE_NAME_PATTERN.source })
  @IsString()
  @Matches(NODE_NAME_PATTERN, { message: SLUG_MESSAGE })
  name: string;

  @ApiProperty({ enum: NODE_ROLES })
  @IsIn(NODE_ROLES)
  role: NodeRole;

  @ApiProperty({ example: 'http://edge-eu-1.example.net:8081', description: 'Where players and health checks reach the node' })
  @IsString()
  @MaxLength(2048)
  @IsUrl(URL_RULES, { message: 'must be an http:// or https:// URL' })
  baseUrl: string;

  @ApiPropertyOptional({
    example: 'http://edge-eu-1.internal:8081',
    nullable: true,
    description: 'Where the control plane reaches the node (health checks, purge) if not at baseUrl',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsUrl(URL_RULES, { message: 'must be an http:// or https:// URL' })
  internalUrl?: string | null;

  @ApiPropertyOptional({ example: 'eu-west', default: '' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  region?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_NODE_WEIGHT, default: NODE_DEFAULTS.weight })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_NODE_WEIGHT)
  weight?: number;

  @ApiPropertyOptional({ minimum: 1, default: NODE_DEFAULTS.capacityMbps, description: 'Egress capacity used for load-aware steering' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  capacityMbps?: number;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

/** PATCH: the same rules, every field optional. */
export class UpdateNodeDto extends PartialType(CreateNodeDto) {}

export class NodeResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: NODE_ROLES }) role: NodeRole;
  @ApiProperty() baseUrl: string;
  @ApiProperty({ nullable: true, type: String }) internalUrl: string | null;
  @ApiProperty() region: string;
  @ApiProperty() weight: number;
  @ApiProperty() capacityMbps: number;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ enum: ['unknown', 'up', 'down'] }) status: NodeStatus;
  @ApiProperty({ nullable: true, type: String }) lastCheckedAt: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Open connections at the last health check' }) activeConnections: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'Edges run by this control plane: why its last rendered config was refused by nginx -t' })
  configError: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Edges run by this control plane: when its config was last applied' })
  configAppliedAt: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}

export class NodePage {
  @ApiProperty({ type: [NodeResponse] }) items: NodeResponse[];
  @ApiProperty() total: number;
}

export function toNodeResponse(node: NodeEntity): NodeResponse {
  return {
    id: node.id,
    name: node.name,
    role: node.role,
    baseUrl: node.baseUrl,
    internalUrl: node.internalUrl,
    region: node.region,
    weight: node.weight,
    capacityMbps: node.capacityMbps,
    enabled: node.enabled,
    status: node.status,
    lastCheckedAt: node.lastCheckedAt?.toISOString() ?? null,
    activeConnections: node.activeConnections,
    configError: node.configError,
    configAppliedAt: node.configAppliedAt?.toISOString() ?? null,
    createdAt: node.createdAt.toISOString(),
    updatedAt: node.updatedAt.toISOString(),
    version: node.version,
  };
}
