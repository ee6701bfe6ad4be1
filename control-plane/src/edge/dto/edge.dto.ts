import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { STREAM_KEY_PATTERN } from '../../streams/stream-limits.js';

/** A path nginx can take unquoted: absolute, no white space, quotes, semicolons or braces. */
const NGINX_PATH = /^\/[A-Za-z0-9._\/-]{0,1000}$/;
const NGINX_PATH_MESSAGE = 'must be an absolute path of letters, digits, ".", "_", "-" and "/"';

/** Where the node keeps its files; the defaults suit the official nginx image. Edges and origins take different ones. */
export class EdgeConfigQuery {
  @ApiPropertyOptional({ default: '/var/cache/nginx/hls' })
  @IsOptional()
  @Matches(NGINX_PATH, { message: NGINX_PATH_MESSAGE })
  cacheDir?: string;

  @ApiPropertyOptional({ default: '/etc/nginx/njs', description: 'Holds the njs modules (GET /api/v1/edge-files)' })
  @IsOptional()
  @Matches(NGINX_PATH, { message: NGINX_PATH_MESSAGE })
  njsDir?: string;

  @ApiPropertyOptional({ default: '/var/log/nginx/hls-access.log' })
  @IsOptional()
  @Matches(NGINX_PATH, { message: NGINX_PATH_MESSAGE })
  accessLog?: string;

  @ApiPropertyOptional({ default: '5g' })
  @IsOptional()
  @Matches(/^\d{1,9}[kmgKMG]?$/, { message: 'must be an nginx size like 512m or 5g' })
  cacheMaxSize?: string;

  @ApiPropertyOptional({ default: '/media', description: 'Origins: the packager output they serve' })
  @IsOptional()
  @Matches(NGINX_PATH, { message: NGINX_PATH_MESSAGE })
  mediaRoot?: string;

  @ApiPropertyOptional({ default: '8080', description: 'Origins: nginx listen value (port, or address:port)' })
  @IsOptional()
  @Matches(/^((\d{1,3}\.){3}\d{1,3}:|\[[0-9a-fA-F:]{2,39}\]:)?\d{1,5}$/, { message: 'must be a port, or an address and port like 127.0.0.1:8080' })
  listen?: string;
}

export class PurgeDto {
  @ApiPropertyOptional({ example: 'demo', description: 'Only this stream; all live objects when absent' })
  @IsOptional()
  @IsString()
  @Matches(STREAM_KEY_PATTERN, { message: 'must be a stream key' })
  stream?: string;
}

export class PurgeResult {
  @ApiProperty() node: string;
  @ApiProperty({ nullable: true, type: String }) stream: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Cached objects removed; null when the edge could not be reached' }) removed: number | null;
  @ApiPropertyOptional() error?: string;
}
