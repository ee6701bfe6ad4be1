import { Controller, Get, Header, Inject, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Public } from '../auth/public.decorator.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { consolePage } from './console-page.js';

/** dist/console, next to dist/control-plane where this file is compiled to. */
const BUNDLE_DIR = fileURLToPath(new URL('../../../console/', import.meta.url));
const FILES: Record<string, string> = {
  'console.js': 'application/javascript',
  'console.css': 'text/css',
  'console.js.map': 'application/json',
  'console.css.map': 'application/json',
};

/**
 * The web console at / (public files: every API call it makes carries the signed-in key). The
 * bundle is built with the rest (`npm start`, `npm run build`); a missing one is said plainly.
 */
@ApiExcludeController()
@Public()
@Controller()
export class ConsoleController {
  private readonly page: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.page = consolePage(config.hlsEdgePort ?? config.hlsHttpPort);
  }

  @Get()
  @Header('Cache-Control', 'no-cache')
  index(@Res() res: Response): void {
    if (!existsSync(`${BUNDLE_DIR}console.js`)) {
      res.status(503).type('text/plain').send('The web console is not built: run `npm run build` (npm start does it). The API is at /api/v1.');
      return;
    }
    res.type('text/html; charset=utf-8').send(this.page);
  }

  @Get('console/:file')
  file(@Param('file') file: string, @Res() res: Response): void {
    const type = FILES[file];
    if (!type) {
      res.status(404).type('text/plain').send('not found');
      return;
    }
    // Built per release, not content-named: revalidated each load (ETag), cheap on a LAN.
    res.setHeader('Cache-Control', 'no-cache');
    res.type(type).sendFile(`${BUNDLE_DIR}${file}`, (error) => {
      if (error && !res.headersSent) res.status(404).type('text/plain').send('not built');
    });
  }
}
