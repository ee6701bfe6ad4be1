import { ApiProperty } from '@nestjs/swagger';
import type { StreamEntity } from '../stream.entity.js';
import { settingsOf } from '../stream-settings.js';
import type { IngestProtocol } from '../stream-limits.js';
import { FecDto, PackagingDto, PlaybackDto, RenditionDto } from './stream-config.dto.js';
import { playbackPath } from '../../media/hls-layout.js';

export class IngestResponse {
  @ApiProperty({ enum: ['rtp', 'udp'] }) protocol: IngestProtocol;
  @ApiProperty() port: number;
  @ApiProperty({ type: FecDto, nullable: true }) fec: FecDto | null;
  @ApiProperty({ type: [String] }) allowedSources: string[];
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

export function toStreamResponse(stream: StreamEntity): StreamResponse {
  const settings = settingsOf(stream);
  return {
    id: stream.id,
    ...settings,
    playbackPath: playbackPath(stream.key),
    createdAt: stream.createdAt.toISOString(),
    updatedAt: stream.updatedAt.toISOString(),
    version: stream.version,
  };
}
