import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsIP, IsOptional, Max, Min } from 'class-validator';
import { playbackPath } from '../../media/hls-layout.js';

/** A token outliving a week is a leaked link waiting to happen; ten seconds is the useful floor. */
export const MIN_TOKEN_SECONDS = 10;
export const MAX_TOKEN_SECONDS = 7 * 24 * 3600;
export const DEFAULT_TOKEN_SECONDS = 3600;

export class IssueTokenDto {
  @ApiPropertyOptional({ minimum: MIN_TOKEN_SECONDS, maximum: MAX_TOKEN_SECONDS, default: DEFAULT_TOKEN_SECONDS })
  @IsOptional()
  @IsInt()
  @Min(MIN_TOKEN_SECONDS)
  @Max(MAX_TOKEN_SECONDS)
  expiresInSeconds?: number;

  @ApiPropertyOptional({ example: '203.0.113.7', description: 'Bind the token to this client address (as the edge sees it)' })
  @IsOptional()
  @IsIP()
  clientIp?: string;
}

export class PlaybackTokenResponse {
  @ApiProperty({ description: 'Append as ?token=… to the playback URL; edges carry it into every playlist they serve' }) token: string;
  @ApiProperty() keyId: string;
  @ApiProperty() expiresAt: string;
  @ApiProperty({ nullable: true, type: String }) clientIp: string | null;
  @ApiProperty({ example: `${playbackPath('demo')}?token=…` }) playbackPath: string;
  @ApiProperty({ type: [String], description: 'The playback URL on every enabled edge' }) edgeUrls: string[];
}

export class SigningKeyResponse {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['signing', 'verifying', 'retired'], description: 'signing: new tokens; verifying: still accepted' }) state:
    'signing' | 'verifying' | 'retired';
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) retiredAt: string | null;
}
