import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  Equals,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { SLUG_MESSAGE } from '../../common/slug.js';
import { IsCidr, Satisfies } from '../../common/validators.js';
import * as limits from '../stream-limits.js';

const { INGEST_PROTOCOLS } = limits;

type IngestProtocol = limits.IngestProtocol;

export class FecDto {
  @ApiProperty({ description: 'L: packets per row (SMPTE 2022-1)', minimum: limits.FEC_MIN_COLUMNS, maximum: limits.FEC_MAX_COLUMNS })
  @IsInt()
  @Min(limits.FEC_MIN_COLUMNS)
  @Max(limits.FEC_MAX_COLUMNS)
  columns: number;

  @ApiProperty({ description: 'D: rows per matrix (SMPTE 2022-1)', minimum: limits.FEC_MIN_ROWS, maximum: limits.FEC_MAX_ROWS })
  @IsInt()
  @Min(limits.FEC_MIN_ROWS)
  @Max(limits.FEC_MAX_ROWS)
  @Satisfies((rows, fec) =>
    Number.isInteger(fec.columns) && Number.isInteger(rows) && fec.columns * rows > limits.FEC_MAX_MATRIX
      ? `columns x rows must be at most ${limits.FEC_MAX_MATRIX} (SMPTE 2022-1), got ${fec.columns} x ${rows}`
      : null,
  )
  rows: number;
}

export class SrtDto {
  @ApiPropertyOptional({
    minLength: limits.SRT_PASSPHRASE_MIN,
    maxLength: limits.SRT_PASSPHRASE_MAX,
    description: 'Encrypts the feed (AES); the sender must give the same. Generated when absent, and shown only in the answer that set it',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[\x21-\x7e]+$/, { message: 'printable ASCII without spaces' })
  @Matches(/^[^&=?#%]*$/, { message: "no '&', '=', '?', '#' or '%': it goes into srt:// URLs as it is" })
  @Satisfies((p) =>
    typeof p === 'string' && (p.length < limits.SRT_PASSPHRASE_MIN || p.length > limits.SRT_PASSPHRASE_MAX)
      ? `must be ${limits.SRT_PASSPHRASE_MIN} to ${limits.SRT_PASSPHRASE_MAX} characters (libsrt's rule), got ${p.length}`
      : null,
  )
  passphrase?: string;

  @ApiPropertyOptional({
    minimum: limits.SRT_LATENCY_MIN_MS,
    maximum: limits.SRT_LATENCY_MAX_MS,
    default: limits.SRT_LATENCY_DEFAULT_MS,
    description: 'Receive latency, ms: the time lost packets have to be retransmitted. At least 4 x the round trip across the internet',
  })
  @IsOptional()
  @IsInt()
  @Min(limits.SRT_LATENCY_MIN_MS)
  @Max(limits.SRT_LATENCY_MAX_MS)
  latencyMs?: number;
}

export class RtmpDto {
  @ApiPropertyOptional({
    minLength: limits.RTMP_SECRET_MIN,
    maxLength: limits.RTMP_SECRET_MAX,
    description: 'What the publisher appends to the stream key (`<key>?secret=...`). Generated when absent, and shown only in the answer that set it',
  })
  @IsOptional()
  @IsString()
  @Matches(limits.RTMP_SECRET_PATTERN, { message: 'letters, digits and . _ ~ - only: it travels in the stream key as a URL query' })
  @Satisfies((s) =>
    typeof s === 'string' && (s.length < limits.RTMP_SECRET_MIN || s.length > limits.RTMP_SECRET_MAX)
      ? `must be ${limits.RTMP_SECRET_MIN} to ${limits.RTMP_SECRET_MAX} characters, got ${s.length}`
      : null,
  )
  secret?: string;
}

export class RistDto {
  @ApiPropertyOptional({
    minimum: limits.RIST_BUFFER_MIN_MS,
    maximum: limits.RIST_BUFFER_MAX_MS,
    default: limits.RIST_BUFFER_DEFAULT_MS,
    description: 'Receive buffer, ms: how long a missing packet is asked for again before it is given up; also the playout delay. Several round trips at least',
  })
  @IsOptional()
  @IsInt()
  @Min(limits.RIST_BUFFER_MIN_MS)
  @Max(limits.RIST_BUFFER_MAX_MS)
  bufferMs?: number;
}

export class IngestDto {
  @ApiPropertyOptional({
    enum: INGEST_PROTOCOLS,
    default: 'rtp',
    description:
      'rtp: RTP/MPEG-TS (PT 33); udp: bare MPEG-TS datagrams; srt: SRT listener (caller mode senders, MPEG-TS); rtmp: publish to the RTMP port by stream key and secret (OBS); rist: RIST Simple Profile (RTP on the even port, RTCP on port + 1)',
  })
  @IsOptional()
  @IsIn(INGEST_PROTOCOLS)
  protocol?: IngestProtocol;

  @ApiPropertyOptional({
    minimum: limits.MIN_INGEST_PORT,
    maximum: limits.MAX_INGEST_PORT,
    description: 'UDP port; with FEC, port+2 and port+4 are used too. Not with rtmp (every RTMP stream publishes to the RTMP port)',
  })
  // Required for every protocol but RTMP, where giving one is refused (below) rather than ignored.
  @ValidateIf((ingest: IngestDto) => ingest.protocol !== 'rtmp' || (ingest.port !== undefined && ingest.port !== null))
  @Satisfies((port, ingest) =>
    ingest.protocol === 'rtmp'
      ? 'not used by rtmp: every RTMP stream publishes to the one RTMP port (RTMP_PORT), addressed by its key'
      : ingest.protocol === 'rist' && Number.isInteger(port) && (port % 2 !== 0 || port + limits.RIST_RTCP_PORT_OFFSET > limits.MAX_INGEST_PORT)
        ? 'must be even for rist (RTP on it, RTCP on port + 1; TR-06-1)'
        : null,
  )
  @IsInt()
  @Min(limits.MIN_INGEST_PORT)
  @Max(limits.MAX_INGEST_PORT)
  @Satisfies((port, ingest) =>
    ingest.fec && Number.isInteger(port) && port + limits.ROW_FEC_PORT_OFFSET > limits.MAX_INGEST_PORT
      ? `must be at most ${limits.MAX_INGEST_PORT - limits.ROW_FEC_PORT_OFFSET} with FEC, whose row port is port+${limits.ROW_FEC_PORT_OFFSET}`
      : null,
  )
  port?: number | null;

  @ApiPropertyOptional({ type: FecDto, nullable: true, description: 'null: no FEC. RTP only: FEC packets protect RTP sequence numbers' })
  @IsOptional()
  @Satisfies((fec, ingest) =>
    !fec || (ingest.protocol ?? 'rtp') === 'rtp'
      ? null
      : ingest.protocol === 'rist'
        ? 'not built for rist yet: RIST repairs by retransmission (FEC beside it is planned)'
        : `needs protocol "rtp": SMPTE 2022-1 FEC protects RTP packets, and ${ingest.protocol} has none${ingest.protocol === 'srt' ? ' (SRT repairs by retransmission)' : ''}`,
  )
  @IsObject()
  @ValidateNested()
  @Type(() => FecDto)
  fec?: FecDto | null;

  @ApiPropertyOptional({ type: [String], example: ['203.0.113.0/24'], description: 'CIDR blocks allowed to send; empty: any source' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(limits.MAX_ALLOWED_SOURCES)
  @IsCidr({ each: true })
  @Satisfies((sources, ingest) =>
    Array.isArray(sources) && sources.length > 0 && ingest.protocol === 'srt'
      ? 'not built for srt yet: the SRT listener takes any sender with the passphrase'
      : null,
  )
  allowedSources?: string[];

  @ApiPropertyOptional({ type: SrtDto, nullable: true, description: 'SRT settings (protocol "srt" only)' })
  @IsOptional()
  @Satisfies((srt, ingest) => (srt && ingest.protocol !== 'srt' ? 'only with protocol "srt"' : null))
  @IsObject()
  @ValidateNested()
  @Type(() => SrtDto)
  srt?: SrtDto | null;

  @ApiPropertyOptional({ type: RtmpDto, nullable: true, description: 'RTMP settings (protocol "rtmp" only)' })
  @IsOptional()
  @Satisfies((rtmp, ingest) => (rtmp && ingest.protocol !== 'rtmp' ? 'only with protocol "rtmp"' : null))
  @IsObject()
  @ValidateNested()
  @Type(() => RtmpDto)
  rtmp?: RtmpDto | null;

  @ApiPropertyOptional({ type: RistDto, nullable: true, description: 'RIST settings (protocol "rist" only)' })
  @IsOptional()
  @Satisfies((rist, ingest) => (rist && ingest.protocol !== 'rist' ? 'only with protocol "rist"' : null))
  @IsObject()
  @ValidateNested()
  @Type(() => RistDto)
  rist?: RistDto | null;
}

export class PackagingDto {
  @ApiPropertyOptional({ minimum: limits.MIN_SEGMENT_SECONDS, maximum: limits.MAX_SEGMENT_SECONDS, default: limits.PACKAGING_DEFAULTS.segmentSeconds })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(limits.MIN_SEGMENT_SECONDS)
  @Max(limits.MAX_SEGMENT_SECONDS)
  segmentSeconds?: number;

  @ApiPropertyOptional({ minimum: limits.MIN_WINDOW_SEGMENTS, maximum: limits.MAX_WINDOW_SEGMENTS, default: limits.PACKAGING_DEFAULTS.windowSegments })
  @IsOptional()
  @IsInt()
  @Min(limits.MIN_WINDOW_SEGMENTS)
  @Max(limits.MAX_WINDOW_SEGMENTS)
  windowSegments?: number;

  @ApiPropertyOptional({
    default: false,
    description:
      'Low-Latency HLS: fMP4 (CMAF) segments made of parts, blocking playlist reload, delta updates. Defaults then become 2 s segments and 0.2 s parts. false: MPEG-TS segments for older players',
  })
  @IsOptional()
  @IsBoolean()
  lowLatency?: boolean;

  @ApiPropertyOptional({
    minimum: limits.MIN_PART_SECONDS,
    default: limits.PACKAGING_DEFAULTS.partSeconds,
    description: 'LL-HLS part duration, rounded to whole frames; less than segmentSeconds. Used with lowLatency (default 0.2 then)',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(limits.MIN_PART_SECONDS)
  @Satisfies((part, packaging) => {
    const segment = packaging.segmentSeconds ?? (packaging.lowLatency ? limits.LOW_LATENCY_DEFAULTS : limits.PACKAGING_DEFAULTS).segmentSeconds;
    return typeof part === 'number' && typeof segment === 'number' && part >= segment ? `must be less than segmentSeconds (${segment})` : null;
  })
  partSeconds?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: limits.MAX_DVR_SECONDS,
    default: 0,
    description: 'Seconds of history kept in the media playlist and on disk, for players to seek back into; 0: off',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(limits.MAX_DVR_SECONDS)
  dvrSeconds?: number;
}

export class RenditionDto {
  @ApiProperty({ example: '720p', description: 'Slug used in rendition paths' })
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,31}$/, { message: 'must be a lowercase slug of at most 32 characters' })
  name: string;

  @ApiProperty({ example: 1280 })
  @IsInt()
  @Min(16)
  @Max(7680)
  width: number;

  @ApiProperty({ example: 720 })
  @IsInt()
  @Min(16)
  @Max(4320)
  height: number;

  @ApiProperty({ example: 3000, description: 'Video bitrate in kbit/s' })
  @IsInt()
  @Min(50)
  @Max(100_000)
  videoKbps: number;

  @ApiPropertyOptional({
    type: Number,
    deprecated: true,
    description: "Not built: every rung carries the source's audio, copied without re-encoding; refused with 400",
  })
  @IsOptional()
  @Equals(undefined, { message: "is not built: every rung carries the source's audio, copied without re-encoding; leave it out" })
  audioKbps?: number;

  @ApiPropertyOptional({ example: 30 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(1)
  @Max(240)
  frameRate?: number;

  @ApiPropertyOptional({
    example: 0.9,
    description: "Flag the rung when its SSIM against the source (measured about once a minute, in the stream's status) falls under this",
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  minSsim?: number;
}

export class PlaybackDto {
  @ApiPropertyOptional({ default: false, description: 'Edges refuse requests without a valid token from POST /api/v1/streams/{id}/tokens' })
  @IsOptional()
  @IsBoolean()
  signedUrls?: boolean;
}

/** The full configuration of a stream: the shape POST accepts and every PATCH result must satisfy. */
export class StreamConfigDto {
  @ApiProperty({ example: 'demo', pattern: limits.STREAM_KEY_PATTERN.source })
  @IsString()
  @Matches(limits.STREAM_KEY_PATTERN, { message: SLUG_MESSAGE })
  key: string;

  @ApiPropertyOptional({ example: 'Demo channel', description: 'Defaults to the key' })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty or only white space' })
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiProperty({ type: IngestDto })
  @IsObject()
  @ValidateNested()
  @Type(() => IngestDto)
  ingest: IngestDto;

  @ApiPropertyOptional({ type: PackagingDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PackagingDto)
  packaging?: PackagingDto;

  @ApiPropertyOptional({ type: [RenditionDto], description: 'ABR ladder; empty: pass the input through' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(limits.MAX_RENDITIONS)
  @ValidateNested({ each: true })
  @Type(() => RenditionDto)
  renditions?: RenditionDto[];

  @ApiPropertyOptional({ type: PlaybackDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PlaybackDto)
  playback?: PlaybackDto;
}
