import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { StreamEntity } from '../stream.entity.js';
import { settingsOf } from '../stream-settings.js';
import type { IngestProtocol } from '../stream-limits.js';
import { FecDto, PackagingDto, PlaybackDto, RenditionDto, RistDto } from './stream-config.dto.js';
import type { SrtSettings, StreamSettings } from '../stream-settings.js';

export class SrtResponse {
  @ApiProperty() latencyMs: number;
  @ApiPropertyOptional({ description: 'Only in the answer that set it (generated at creation, or changed): note it then' })
  passphrase?: string;
}
export class RtmpResponse {
  @ApiPropertyOptional({ description: 'Only in the answer that set it (generated at creation, or changed): note it then; only its digest is kept' })
  secret?: string;
}

import { playbackPath } from '../../media/hls-layout.js';

export class IngestResponse {
  @ApiProperty({ enum: ['rtp', 'udp', 'srt', 'rtmp', 'rist'] }) protocol: IngestProtocol;
  @ApiProperty({ type: Number, nullable: true, description: 'null for rtmp (the RTMP port is shared)' }) port: number | null;
  @ApiProperty({ type: FecDto, nullable: true }) fec: FecDto | null;
  @ApiProperty({ type: [String] }) allowedSources: string[];
  @ApiProperty({ type: SrtResponse, nullable: true }) srt: SrtResponse | null;
  @ApiProperty({ type: RtmpResponse, nullable: true }) rtmp: RtmpResponse | null;
  @ApiProperty({ type: RistDto, nullable: true }) rist: Required<RistDto> | null;
}

export class StreamResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() key: string;
  @ApiProperty() name: string;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ type: IngestResponse }) ingest: IngestResponse;
  @ApiProperty({ type: PackagingDto }) packaging: Required<PackagingDto>;
  @ApiProperty({ type: [RenditionDto] }) renditions: RenditionDto[];
  @ApiProperty({ type: PlaybackDto }) playback: Required<PlaybackDto>;
  @ApiProperty({ description: 'Path of the master playlist on the origin and edges', example: playbackPath('demo') })
  playbackPath: string;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty({ description: 'Row version; also sent as the ETag' }) version: number;
}

export class StreamPage {
  @ApiProperty({ type: [StreamResponse] }) items: StreamResponse[];
  @ApiProperty() total: number;
}

/**
 * A stream as the API shows it. The SRT passphrase and RTMP secret are left out (audit entries and
 * ETags are made from this too); `justSet`, the settings of the change being answered, adds them
 * to the one answer that set them.
 */
export function toStreamResponse(stream: StreamEntity, justSet: StreamSettings | null = null): StreamResponse {
  const settings = settingsOf(stream);
  const srt = settings.ingest.srt;
  const newSecret = justSet?.ingest.rtmp?.newSecret;
  return {
    id: stream.id,
    ...settings,
    ingest: {
      ...settings.ingest,
      srt: srt ? shownSrt(srt, justSet !== null) : null,
      rtmp: settings.ingest.rtmp ? (newSecret ? { secret: newSecret } : {}) : null,
    },
    playbackPath: playbackPath(stream.key),
    createdAt: stream.createdAt.toISOString(),
    updatedAt: stream.updatedAt.toISOString(),
    version: stream.version,
  };
}

function shownSrt(srt: SrtSettings, showSecret: boolean): SrtResponse {
  return showSecret ? { latencyMs: srt.latencyMs, passphrase: srt.passphrase } : { latencyMs: srt.latencyMs };
}
