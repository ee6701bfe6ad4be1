import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { createRequire } from 'node:module';
import { Public } from '../auth/public.decorator.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { playerPage } from './player-page.js';

const hlsScript = createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js');

@ApiExcludeController()
@Public()
@Controller('player')
export class PlayerController {
  private readonly page: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.page = playerPage(config.hlsHttpPort, config.hlsEdgePort);
  }

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  index(): string {
    return this.page;
  }

  @Get('hls.min.js')
  script(@Res() res: Response): void {
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.type('application/javascript').sendFile(hlsScript);
  }
}
