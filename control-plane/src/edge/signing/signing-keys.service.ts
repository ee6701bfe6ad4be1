import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { AuditService } from '../../audit/audit.service.js';
import type { Principal } from '../../common/principal.js';
import { publishConfigEvent } from '../../events/config-event.js';
import { enabledEdges } from '../edge-nodes.js';
import { StreamsService } from '../../streams/streams.service.js';
import { DEFAULT_TOKEN_SECONDS, IssueTokenDto, PlaybackTokenResponse, SigningKeyResponse } from '../dto/signing.dto.js';
import { issueToken, newSigningKey, SigningKey } from './playback-token.js';
import { UrlSigningKeyEntity } from './url-signing-key.entity.js';

/** How many keys verify at once: the signing key and the one it replaced. */
const VERIFYING_KEYS = 2;
/** Serialises key creation across control-plane instances sharing one database. */
const KEY_LOCK = 7_240_101;

/** The keys edges accept, newest (the signing key) first. */
export async function verifyingKeys(manager: EntityManager): Promise<SigningKey[]> {
  const rows = await manager.find(UrlSigningKeyEntity, { where: { retiredAt: IsNull() }, order: { createdAt: 'DESC', id: 'ASC' }, take: VERIFYING_KEYS });
  return rows.map((r) => ({ id: r.id, secret: r.secret }));
}

/**
 * HMAC keys for signed playback URLs. The newest key signs; it and the previous one verify, so a
 * rotation never invalidates tokens that players already hold. Edges get the verifying keys in
 * their rendered config and re-render when a rotation is announced.
 */
@Injectable()
export class SigningKeysService implements OnApplicationBootstrap {
  private readonly logger = new Logger('signing-keys');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly streams: StreamsService,
    private readonly audit: AuditService,
  ) {}

  /** A fresh database gets its first key, so tokens can be issued right away. */
  async onApplicationBootstrap(): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [KEY_LOCK]);
      if ((await manager.count(UrlSigningKeyEntity, { where: { retiredAt: IsNull() } })) === 0) await this.addKey(manager);
    });
  }

  /** The keys edges accept, newest (the signing key) first. */
  verifyingKeys(manager: EntityManager = this.dataSource.manager): Promise<SigningKey[]> {
    return verifyingKeys(manager);
  }

  async list(): Promise<SigningKeyResponse[]> {
    const rows = await this.dataSource.manager.find(UrlSigningKeyEntity, { order: { createdAt: 'DESC', id: 'ASC' } });
    let active = 0;
    return rows.map((r) => ({
      id: r.id,
      state: r.retiredAt ? 'retired' : active++ === 0 ? 'signing' : 'verifying',
      createdAt: r.createdAt.toISOString(),
      retiredAt: r.retiredAt?.toISOString() ?? null,
    }));
  }

  /** A new signing key; the old signing key keeps verifying, anything older is retired. */
  async rotate(principal: Principal): Promise<SigningKeyResponse[]> {
    const id = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [KEY_LOCK]);
      const key = await this.addKey(manager);
      const keep = (await this.verifyingKeys(manager)).map((k) => k.id);
      await manager.query('UPDATE url_signing_keys SET retired_at = now() WHERE retired_at IS NULL AND NOT (id = ANY($1))', [keep]);
      await this.audit.record(manager, principal, { action: 'create', entityType: 'signing-key', entityId: key.id, after: { id: key.id, verifying: keep } });
      await publishConfigEvent(manager, { entity: 'signing-key', op: 'created', id: key.id, ref: key.id, version: 1 });
      return key.id;
    });
    this.logger.log(`rotated playback URL signing key: ${id} signs now`);
    return this.list();
  }

  async issue(streamRef: string, dto: IssueTokenDto, now: Date = new Date()): Promise<PlaybackTokenResponse> {
    const stream = await this.streams.get(streamRef);
    const [key] = await this.verifyingKeys();
    const expiresAt = Math.floor(now.getTime() / 1000) + (dto.expiresInSeconds ?? DEFAULT_TOKEN_SECONDS);
    const clientIp = dto.clientIp ?? null;
    const token = issueToken(key, { streamKey: stream.key, expiresAt, clientIp });
    const playbackPath = `${stream.playbackPath}?token=${token}`;
    const edges = await enabledEdges(this.dataSource.manager);
    return {
      token,
      keyId: key.id,
      expiresAt: new Date(expiresAt * 1000).toISOString(),
      clientIp,
      playbackPath,
      edgeUrls: edges.map((e) => `${e.baseUrl.replace(/\/+$/, '')}${playbackPath}`),
    };
  }

  private async addKey(manager: EntityManager): Promise<SigningKey> {
    const key = newSigningKey();
    await manager.insert(UrlSigningKeyEntity, { id: key.id, secret: key.secret, retiredAt: null });
    return key;
  }
}
