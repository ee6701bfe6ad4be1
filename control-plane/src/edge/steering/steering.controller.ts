import { Controller, Get, Header, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../../auth/public.decorator.js';
import { ApiError } from '../../common/api-error.js';
import { pathwayParameter } from './pathway-priority.js';
import { SteeringManifest, SteeringService } from './steering.service.js';

/** Players fetch this without credentials, from any origin, and must never get a cached answer. */
@ApiTags('steering')
@Public()
@Controller('steering')
export class SteeringController {
  constructor(private readonly steering: SteeringService) {}

  @Get(':file')
  @Header('Cache-Control', 'no-store')
  @Header('Access-Control-Allow-Origin', '*')
  @ApiOkResponse({
    description: 'HLS Content Steering manifest for /steering/<stream key>.json; hls.js adds _HLS_pathway and _HLS_throughput',
    schema: { example: { VERSION: 1, TTL: 10, 'RELOAD-URI': '/steering/demo.json', 'PATHWAY-PRIORITY': ['edge-a', 'edge-b'] } },
  })
  manifest(@Param('file') file: string, @Query('_HLS_pathway') pathway?: unknown): Promise<SteeringManifest> {
    const match = /^(.+)\.json$/.exec(file);
    if (!match) throw ApiError.notFound('steering manifest', file);
    return this.steering.manifest(match[1], pathwayParameter(pathway));
  }
}
