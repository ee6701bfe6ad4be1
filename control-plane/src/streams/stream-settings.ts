import type { StreamConfigDto } from './dto/stream-config.dto.js';
import type { UpdateStreamDto } from './dto/update-stream.dto.js';
import type { PackagingSettings, RenditionSettings, StreamEntity } from './stream.entity.js';
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../auth/secrets.js';
import { IngestProtocol, LOW_LATENCY_DEFAULTS, MIN_PART_SECONDS, PACKAGING_DEFAULTS, RIST_BUFFER_DEFAULT_MS, SRT_LATENCY_DEFAULT_MS } from './stream-limits.js';
import { definedOnly } from '../common/defined-only.js';

/** A stream's configuration with every default applied: what is stored and what PATCH merges into. */
export interface StreamSettings {
  key: string;
  name: string;
  enabled: boolean;
  ingest: {
    protocol: IngestProtocol;
    /** null for RTMP: its streams share the RTMP port. */
    port: number | null;
    fec: { columns: number; rows: number } | null;
    allowedSources: string[];
    /** Protocol "srt" only. */
    srt: SrtSettings | null;
    /** Protocol "rtmp" only. */
    rtmp: RtmpSettings | null;
    /** Protocol "rist" only. */
    rist: { bufferMs: number } | null;
  };
  packaging: PackagingSettings;
  renditions: RenditionSettings[];
  playback: { signedUrls: boolean };
}

export interface SrtSettings {
  passphrase: string;
  latencyMs: number;
}

export interface RtmpSettings {
  /** What is stored: the publish secret's SHA-256 (hex). */
  secretSha256: string;
  /** The secret itself, only while the change that set it is answered (shown once, never stored). */
  newSecret?: string;
}

function rtmpSecret(secret: string): RtmpSettings {
  return { secretSha256: sha256Hex(secret), newSecret: secret };
}

/** 24 random bytes, base64url: 32 characters, within libsrt's 10-79 and RTMP's 16-128. */
export function generateSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** `current`: the settings a PATCH is merged into (an RTMP secret not given again is kept). */
export function withDefaults(dto: StreamConfigDto, current: StreamSettings | null = null): StreamSettings {
  const protocol = dto.ingest.protocol ?? 'rtp';
  const givenSecret = dto.ingest.rtmp?.secret;
  return {
    key: dto.key,
    name: dto.name ?? dto.key,
    enabled: dto.enabled ?? true,
    ingest: {
      protocol,
      port: protocol === 'rtmp' ? null : (dto.ingest.port ?? null),
      fec: dto.ingest.fec ? { columns: dto.ingest.fec.columns, rows: dto.ingest.fec.rows } : null,
      allowedSources: dto.ingest.allowedSources ?? [],
      srt:
        protocol === 'srt'
          ? { passphrase: dto.ingest.srt?.passphrase ?? generateSecret(), latencyMs: dto.ingest.srt?.latencyMs ?? SRT_LATENCY_DEFAULT_MS }
          : null,
      rtmp:
        protocol !== 'rtmp'
          ? null
          : givenSecret
            ? rtmpSecret(givenSecret)
            : current?.ingest.rtmp
              ? { secretSha256: current.ingest.rtmp.secretSha256 }
              : rtmpSecret(generateSecret()),
      rist: protocol === 'rist' ? { bufferMs: dto.ingest.rist?.bufferMs ?? RIST_BUFFER_DEFAULT_MS } : null,
    },
    packaging: packagingWithDefaults(dto.packaging ?? {}),
    renditions: (dto.renditions ?? []).map((r) => ({ ...definedOnly(r) }) as RenditionSettings),
    playback: { signedUrls: dto.playback?.signedUrls ?? false },
  };
}

export function settingsOf(stream: StreamEntity): StreamSettings {
  return {
    key: stream.key,
    name: stream.name,
    enabled: stream.enabled,
    ingest: {
      protocol: stream.ingestProtocol,
      port: stream.ingestPort,
      fec: stream.fecColumns === null || stream.fecRows === null ? null : { columns: stream.fecColumns, rows: stream.fecRows },
      allowedSources: [...stream.allowedSources],
      srt: stream.srtPassphrase !== null && stream.srtLatencyMs !== null ? { passphrase: stream.srtPassphrase, latencyMs: stream.srtLatencyMs } : null,
      rtmp: stream.rtmpSecretSha256 !== null ? { secretSha256: stream.rtmpSecretSha256 } : null,
      rist: stream.ristBufferMs !== null ? { bufferMs: stream.ristBufferMs } : null,
    },
    packaging: { ...stream.packaging },
    renditions: stream.renditions.map((r) => ({ ...r })),
    playback: { signedUrls: stream.signedUrls },
  };
}

/** PATCH semantics: top-level fields replace, `ingest`, `packaging` and `playback` merge, `renditions` replaces. */
export function mergePatch(current: StreamSettings, patch: UpdateStreamDto): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...current, ...definedOnly(patch) };
  if (patch.ingest) {
    const ingest: Record<string, unknown> = { ...current.ingest, ...patch.ingest };
    // SRT settings merge too (a new latency keeps the passphrase); they go with the protocol.
    const srtPatch = patch.ingest.srt;
    if (srtPatch && typeof srtPatch === 'object' && current.ingest.srt)
      ingest.srt = { ...current.ingest.srt, ...definedOnly(srtPatch as Record<string, unknown>) };
    if ((ingest.protocol ?? 'rtp') !== 'srt' && patch.ingest.srt === undefined) ingest.srt = null;
    if ((ingest.protocol ?? 'rtp') !== 'rist' && patch.ingest.rist === undefined) ingest.rist = null;
    const ristPatch = patch.ingest.rist;
    if (ristPatch && typeof ristPatch === 'object' && current.ingest.rist)
      ingest.rist = { ...current.ingest.rist, ...definedOnly(ristPatch as Record<string, unknown>) };
    // A switch to RTMP leaves the UDP port behind (RTMP has none); one away from it must name one.
    if (ingest.protocol === 'rtmp' && current.ingest.protocol !== 'rtmp' && patch.ingest.port === undefined) delete ingest.port;
    merged.ingest = ingest;
  }
  // What is stored of RTMP is a digest, which the body cannot carry: only a new secret goes in
  // (withDefaults keeps the stored one); the same for RTMP's absent port.
  const ingest = { ...(merged.ingest as Record<string, unknown>) };
  ingest.rtmp = patch.ingest?.rtmp;
  if (ingest.rtmp === undefined) delete ingest.rtmp;
  if (ingest.port === null) delete ingest.port;
  merged.ingest = ingest;
  if (patch.packaging) merged.packaging = { ...current.packaging, ...patch.packaging };
  if (patch.playback) merged.playback = { ...current.playback, ...patch.playback };
  return merged;
}

export function applySettings(stream: StreamEntity, settings: StreamSettings): void {
  stream.key = settings.key;
  stream.name = settings.name;
  stream.enabled = settings.enabled;
  stream.ingestProtocol = settings.ingest.protocol;
  stream.ingestPort = settings.ingest.port;
  stream.fecColumns = settings.ingest.fec?.columns ?? null;
  stream.fecRows = settings.ingest.fec?.rows ?? null;
  stream.allowedSources = settings.ingest.allowedSources;
  stream.srtPassphrase = settings.ingest.srt?.passphrase ?? null;
  stream.srtLatencyMs = settings.ingest.srt?.latencyMs ?? null;
  stream.rtmpSecretSha256 = settings.ingest.rtmp?.secretSha256 ?? null;
  stream.ristBufferMs = settings.ingest.rist?.bufferMs ?? null;
  stream.packaging = settings.packaging;
  stream.renditions = settings.renditions;
  stream.signedUrls = settings.playback.signedUrls;
}

/**
 * Defaults, with one that depends on another value: parts must be shorter than segments, so a
 * segment no longer than the default part gets parts of a quarter segment (a stream created with
 * 1 s segments must stay valid when it is later patched).
 */
function packagingWithDefaults(given: Partial<PackagingSettings>): PackagingSettings {
  const defaults = given.lowLatency ? { ...PACKAGING_DEFAULTS, ...LOW_LATENCY_DEFAULTS } : PACKAGING_DEFAULTS;
  const packaging = { ...defaults, ...definedOnly(given) };
  if (given.partSeconds === undefined && packaging.partSeconds >= packaging.segmentSeconds) {
    packaging.partSeconds = Math.max(MIN_PART_SECONDS, Math.round((packaging.segmentSeconds / 4) * 1000) / 1000);
  }
  return packaging;
}
