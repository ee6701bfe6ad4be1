import { Controller, Get } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '../auth/public.decorator.js';
import { ApiError, ErrorCode } from '../common/api-error.js';

/** How long readiness waits for the database before calling it down: well under a probe's timeout. */
const READY_QUERY_TIMEOUT_MS = 2000;

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Liveness: the process answers. Deliberately checks nothing else, so a database outage does not restart it. */
  @Get('healthz')
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  health(): { status: string } {
    return { status: 'ok' };
  }

  /** Readiness: the database answers a query. */
  @Get('readyz')
  @ApiOkResponse({ schema: { example: { status: 'ready', database: 'up' } } })
  @ApiServiceUnavailableResponse()
  async ready(): Promise<{ status: string; database: string }> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), READY_QUERY_TIMEOUT_MS))),
      ]);
      return { status: 'ready', database: 'up' };
    } catch (error) {
      throw new ApiError(ErrorCode.Unavailable, `database unreachable: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
