import { AuditEntryEntity } from './audit/audit-entry.entity.js';
import { ApiKeyEntity } from './auth/api-key.entity.js';
import { UrlSigningKeyEntity } from './edge/signing/url-signing-key.entity.js';
import { NodeEntity } from './nodes/node.entity.js';
import { IngestPortEntity, StreamEntity } from './streams/stream.entity.js';

/**
 * Every entity, listed explicitly (ESM builds cannot rely on TypeORM's file globs). The list lives in
 * the composition root, beside app.module.ts: the database layer knows no domain.
 */
export const ENTITIES = [StreamEntity, IngestPortEntity, NodeEntity, ApiKeyEntity, AuditEntryEntity, UrlSigningKeyEntity];
