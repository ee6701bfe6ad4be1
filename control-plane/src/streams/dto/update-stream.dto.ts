import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional } from 'class-validator';
import { IsBoolean, IsString } from 'class-validator';

/**
 * PATCH body. Only the shape is checked here (known top-level fields, objects where objects go);
 * the service merges it into the current configuration and validates the result as a whole
 * with StreamConfigDto, so cross-field rules (FEC ports, part < segment) see the final values.
 */
export class UpdateStreamDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  key?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ description: 'Merged into the current ingest settings; fec: null turns FEC off' })
  @IsOptional()
  @IsObject()
  ingest?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Merged into the current packaging settings' })
  @IsOptional()
  @IsObject()
  packaging?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Merged into the current playback settings' })
  @IsOptional()
  @IsObject()
  playback?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Replaces the ladder' })
  @IsOptional()
  renditions?: unknown[];
}
