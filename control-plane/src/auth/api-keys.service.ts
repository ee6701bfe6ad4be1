import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { ApiError } from '../common/api-error.js';
import { isDatabaseWait, isUuid } from '../common/db-errors.js';
import { Page, PageQuery, pageBounds } from '../common/pagination.dto.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { ApiKeyResponse, CreateApiKeyDto, CreatedApiKeyResponse, toApiKeyResponse } from './dto/api-key.dto.js';
import type { Principal } from '../common/principal.js';
import { newApiKeySecret, prefixOf, secretsEqual, sha256Hex } from './secrets.js';

/** lastUsedAt is a hint, not a log: refreshing it at most once a minute keeps reads off the write path. */
const LAST_USED_RESOLUTION_MS = 60_000;
/**
 * While PostgreSQL does not answer, a key this process verified less than this long ago is still
 * accepted, so monitoring keeps reading live status through a database stall. A revocation made
 * here takes effect at once; one made through another control plane, within this grace.
 */
const OFFLINE_GRACE_MS = 60_000;

interface VerifiedKey {
  secretHash: string;
  principal: Principal;
  verifiedAt: number;
}

@Injectable()
export class ApiKeysService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    private readonly audit: AuditService,
  ) {}

  /** Keys verified against the database, by prefix: the fallback while it cannot be asked. */
  private readonly verified = new Map<string, VerifiedKey>();

  async create(dto: CreateApiKeyDto, principal: Principal): Promise<CreatedApiKeyResponse> {
    const { prefix, secret, hash } = newApiKeySecret();
    return this.dataSource.transaction(async (manager) => {
      const key = manager.create(ApiKeyEntity, { name: dto.name, scope: dto.scope, prefix, secretHash: hash, lastUsedAt: null, revokedAt: null });
      await manager.save(key);
      const response = toApiKeyResponse(key);
      await this.audit.record(manager, principal, { action: 'create', entityType: 'api-key', entityId: key.id, after: response });
      return { ...response, secret };
    });
  }

  async list(query: PageQuery): Promise<Page<ApiKeyResponse>> {
    const [rows, total] = await this.keys.findAndCount({ order: { createdAt: 'ASC', id: 'ASC' }, ...pageBounds(query) });
    return { items: rows.map(toApiKeyResponse), total };
  }

  /** Revoking twice is harmless and keeps the first revocation time. */
  async revoke(id: string, principal: Principal): Promise<ApiKeyResponse> {
    if (!isUuid(id)) throw ApiError.notFound('api key', id);
    return this.dataSource.transaction(async (manager) => {
      const key = await manager.findOne(ApiKeyEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!key) throw ApiError.notFound('api key', id);
      this.verified.delete(key.prefix);
      if (key.revokedAt) return toApiKeyResponse(key);
      const before = toApiKeyResponse(key);
      key.revokedAt = new Date();
      await manager.save(key);
      const after = toApiKeyResponse(key);
      await this.audit.record(manager, principal, { action: 'revoke', entityType: 'api-key', entityId: key.id, before, after });
      return after;
    });
  }

  /** The principal behind a presented token, or null when it is not a live key. */
  async authenticate(token: string): Promise<Principal | null> {
    const prefix = prefixOf(token);
    if (!prefix) return null;
    let key: ApiKeyEntity | null;
    try {
      key = await this.keys.findOne({ where: { prefix } });
    } catch (error) {
      const offline = isDatabaseWait(error) ? this.recentlyVerified(prefix, token) : null;
      if (offline) return offline.principal;
      throw error;
    }
    if (!key || key.revokedAt || !secretsEqual(sha256Hex(token), key.secretHash)) {
      this.verified.delete(prefix);
      return null;
    }
    const now = Date.now();
    const principal: Principal = { kind: 'api-key', keyId: key.id, name: key.name, scope: key.scope };
    this.verified.set(prefix, { secretHash: key.secretHash, principal, verifiedAt: now });
    if (!key.lastUsedAt || now - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.keys.update({ id: key.id }, { lastUsedAt: new Date(now) });
    }
    return principal;
  }

  private recentlyVerified(prefix: string, token: string): VerifiedKey | null {
    const known = this.verified.get(prefix);
    if (!known || Date.now() - known.verifiedAt > OFFLINE_GRACE_MS) return null;
    return secretsEqual(sha256Hex(token), known.secretHash) ? known : null;
  }
}
