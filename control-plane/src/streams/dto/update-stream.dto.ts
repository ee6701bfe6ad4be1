import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsBoolean, IsObject, IsString } from 'class-validator';
import { OptionalNotNull } from '../../common/validators.js';

/**
 * PATCH body. Only the shape is checked here (known top-level fields, objects where objects go);
 * the service merges it into the current configuration and validates the result as a whole
 * with StreamConfigDto, so cross-field rules (FEC ports, part < segment) see the final values.
 * A field sent as null is refused: leaving it out is how to keep it.
 */
export class UpdateStreamDto {
  @ApiPropertyOptional()
  @OptionalNotNull()
  @IsString()
  key?: string;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @IsString()
  name?: string;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ description: 'Merged into the current ingest settings; fec: null turns FEC off' })
  @OptionalNotNull()
  @IsObject()
  ingest?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Merged into the current packaging settings' })
  @OptionalNotNull()
  @IsObject()
  packaging?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Merged into the current playback settings' })
  @OptionalNotNull()
  @IsObject()
  playback?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Replaces the ladder' })
  @OptionalNotNull()
  @IsArray()
  renditions?: unknown[];
}
