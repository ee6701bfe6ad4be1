import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, FindOptionsWhere, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../common/principal.js';
import { ApiError, ErrorCode } from '../common/api-error.js';
import { isUuid, violatedUniqueConstraint } from '../common/db-errors.js';
import { assertIfMatch } from '../common/etag.js';
import { Page, PageQuery, pageBounds } from '../common/pagination.dto.js';
import { validateAs } from '../common/validation.js';
import { publishConfigEvent } from '../events/config-event.js';
import { StreamConfigDto } from './dto/stream-config.dto.js';
import { StreamResponse, toStreamResponse } from './dto/stream-response.dto.js';
import type { UpdateStreamDto } from './dto/update-stream.dto.js';
import { IngestPortEntity, RenditionSettings, StreamEntity } from './stream.entity.js';
import { ladderProblems } from './ladder-rules.js';
import { PictureSize, SourcePictures } from './source-pictures.js';
import { ingestPortsOf, IngestPortPurpose } from './stream-limits.js';
import { applySettings, mergePatch, settingsOf, StreamSettings, withDefaults } from './stream-settings.js';

const PURPOSE_LABEL: Record<IngestPortPurpose, string> = {
  media: 'media port',
  'fec-column': 'column FEC port',
  'fec-row': 'row FEC port',
  rtcp: 'RIST RTCP port',
};

@Injectable()
export class StreamsService {
  private readonly logger = new Logger('streams');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(StreamEntity) private readonly streams: Repository<StreamEntity>,
    private readonly audit: AuditService,
    private readonly pictures: SourcePictures,
  ) {}

  async list(query: PageQuery): Promise<Page<StreamResponse>> {
    const [rows, total] = await this.streams.findAndCount({ order: { createdAt: 'ASC', id: 'ASC' }, ...pageBounds(query) });
    return { items: rows.map((row) => toStreamResponse(row)), total };
  }

  async get(ref: string): Promise<StreamResponse> {
    return toStreamResponse(await this.find(this.dataSource.manager, ref, false));
  }

  async create(dto: StreamConfigDto, principal: Principal): Promise<StreamResponse> {
    const settings = withDefaults(dto);
    assertSoundLadder(settings.renditions);
    const created = await this.inTransaction(async (manager) => {
      await this.assertKeyFree(manager, settings.key, null);
      await this.assertPortsFree(manager, settings, null);
      const stream = manager.create(StreamEntity);
      applySettings(stream, settings);
      await manager.save(stream);
      await this.claimPorts(manager, stream.id, settings);
      const response = toStreamResponse(stream);
      await this.audit.record(manager, principal, { action: 'create', entityType: 'stream', entityId: stream.id, after: response });
      await publishConfigEvent(manager, { entity: 'stream', op: 'created', id: stream.id, ref: stream.key, version: stream.version });
      // The SRT passphrase or RTMP secret is shown once, here (it was generated, or given by the caller).
      return toStreamResponse(stream, settings);
    });
    const where = created.ingest.port === null ? 'the RTMP port' : `port ${created.ingest.port}`;
    this.logger.log(`created stream ${created.key} (${created.id}) on ${created.ingest.protocol} ${where}`);
    return created;
  }

  async update(ref: string, patch: UpdateStreamDto, ifMatch: string | undefined, principal: Principal): Promise<StreamResponse> {
    return this.inTransaction(async (manager) => {
      const stream = await this.find(manager, ref, true);
      assertIfMatch(ifMatch, stream.version);
      const before = toStreamResponse(stream);
      const current = settingsOf(stream);
      const settings = withDefaults(await validateAs(StreamConfigDto, mergePatch(current, patch)), current);
      // A ladder being changed is held to the live feed's picture too (one set while no feed came
      // is reported as aboveSource, not refused after the fact on an unrelated change).
      assertSoundLadder(settings.renditions, patch.renditions !== undefined ? this.pictures.of(stream.id) : null);
      if (settings.key !== current.key) await this.assertKeyFree(manager, settings.key, stream.id);
      await this.assertPortsFree(manager, settings, stream.id);
      applySettings(stream, settings);
      await manager.save(stream);
      const after = toStreamResponse(stream);
      if (after.version === before.version) return after; // nothing changed: no audit entry, no event
      await manager.delete(IngestPortEntity, { streamId: stream.id });
      await this.claimPorts(manager, stream.id, settings);
      await this.audit.record(manager, principal, { action: 'update', entityType: 'stream', entityId: stream.id, before, after });
      await publishConfigEvent(manager, { entity: 'stream', op: 'updated', id: stream.id, ref: stream.key, version: stream.version });
      // A passphrase or secret set by this change (given, or generated on a switch) is shown once, here.
      const newPassphrase = settings.ingest.srt && settings.ingest.srt.passphrase !== current.ingest.srt?.passphrase;
      return newPassphrase || settings.ingest.rtmp?.newSecret ? toStreamResponse(stream, settings) : after;
    });
  }

  async remove(ref: string, ifMatch: string | undefined, principal: Principal): Promise<void> {
    await this.inTransaction(async (manager) => {
      const stream = await this.find(manager, ref, true);
      assertIfMatch(ifMatch, stream.version);
      const before = toStreamResponse(stream);
      await manager.delete(StreamEntity, { id: stream.id }); // its ingest ports go with it (ON DELETE CASCADE)
      await this.audit.record(manager, principal, { action: 'delete', entityType: 'stream', entityId: before.id, before });
      await publishConfigEvent(manager, { entity: 'stream', op: 'deleted', id: before.id, ref: before.key, version: 0 });
    });
    this.logger.log(`deleted stream ${ref}`);
  }

  private async find(manager: EntityManager, ref: string, forUpdate: boolean): Promise<StreamEntity> {
    const where: FindOptionsWhere<StreamEntity> = isUuid(ref) ? { id: ref.toLowerCase() } : { key: ref };
    const stream = await manager.findOne(StreamEntity, { where, ...(forUpdate ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!stream) throw ApiError.notFound('stream', ref);
    return stream;
  }

  private async assertKeyFree(manager: EntityManager, key: string, exceptId: string | null): Promise<void> {
    const holder = await manager.findOne(StreamEntity, { where: { key }, select: { id: true } });
    if (holder && holder.id !== exceptId) throw ApiError.conflict('key', `a stream with key "${key}" already exists`);
  }

  /** Names the stream and the role of the port in the message, so the operator knows what to move. */
  private async assertPortsFree(manager: EntityManager, settings: StreamSettings, exceptId: string | null): Promise<void> {
    const claims = ingestPortsOf(settings.ingest.port, settings.ingest.fec !== null, settings.ingest.protocol === 'rist');
    const taken: { port: number; purpose: IngestPortPurpose; key: string }[] = await manager.query(
      `SELECT p.port, p.purpose, s.key FROM ingest_ports p JOIN streams s ON s.id = p.stream_id
        WHERE p.port = ANY($1::int[]) AND ($2::uuid IS NULL OR p.stream_id <> $2::uuid) ORDER BY p.port`,
      [claims.map((c) => c.port), exceptId],
    );
    if (taken.length === 0) return;
    const clash = taken[0];
    const ours = claims.find((c) => c.port === clash.port)!;
    throw ApiError.conflict(
      'ingest.port',
      `port ${clash.port} (this stream's ${PURPOSE_LABEL[ours.purpose]}) is already used by stream "${clash.key}" as its ${PURPOSE_LABEL[clash.purpose]}`,
    );
  }

  private async claimPorts(manager: EntityManager, streamId: string, settings: StreamSettings): Promise<void> {
    const claims = ingestPortsOf(settings.ingest.port, settings.ingest.fec !== null, settings.ingest.protocol === 'rist');
    await manager.insert(
      IngestPortEntity,
      claims.map((c) => ({ port: c.port, purpose: c.purpose, streamId })),
    );
  }

  /** Runs a write; a unique violation that slipped past the checks (a concurrent write) becomes a 409. */
  private async inTransaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (error) {
      const constraint = violatedUniqueConstraint(error);
      if (constraint === 'uq_streams_key') throw ApiError.conflict('key', 'a stream with this key already exists');
      if (constraint === 'pk_ingest_ports') throw ApiError.conflict('ingest.port', 'one of the ingest ports was taken by a concurrent change');
      if (constraint) throw new ApiError(ErrorCode.Conflict, `conflicts with an existing row (${constraint})`);
      throw error;
    }
  }
}

/** 400 naming every field of a ladder that makes no sense (ladder-rules.ts). */
function assertSoundLadder(ladder: RenditionSettings[], source: PictureSize | null = null): void {
  const problems = ladderProblems(ladder, source);
  if (problems.length) throw ApiError.invalid(problems);
}
