// Requests on the path of every held LL-HLS viewer (nginx asks the control plane once per viewer
// waiting for a part) are answered on node's HTTP server before Express sees them: no router walk
// over the API's routes, no body parsers, guards, pipes or exception filter. Measured with 200
// viewers held at an edge (bench:llhls), Express middleware cost the control plane about 0.5 ms
// of CPU per request, and the 200 answers to one part queued behind each other for tens of ms.
// Errors still leave in the API's one error shape (ApiError.toBody).
import { Global, Injectable, Logger, Module } from '@nestjs/common';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { ApiError, ErrorCode } from './api-error.js';

/** Answers one request; what it throws is answered as the API's exception filter would. */
export type PlainHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

interface PlainRoute {
  /** Matches URLs that start with it followed by "/". */
  prefix: string;
  logger: Logger;
  handler: PlainHandler;
}

@Injectable()
export class PlainRoutes {
  private readonly routes: PlainRoute[] = [];

  /** GET and HEAD requests under `prefix` go to `handler` (other methods go on to Express: 404). */
  add(prefix: string, logger: Logger, handler: PlainHandler): void {
    this.routes.push({ prefix: `${prefix}/`, logger, handler });
  }

  /** Puts the routes in front of the server's request listeners (Express's); routes added later count too. */
  install(server: Server): void {
    const others = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const route = req.method === 'GET' || req.method === 'HEAD' ? this.routes.find((r) => req.url?.startsWith(r.prefix)) : undefined;
      if (route) answer(route, req, res);
      else for (const listener of others) listener.call(server, req, res);
    });
  }
}

function answer(route: PlainRoute, req: IncomingMessage, res: ServerResponse): void {
  route.handler(req, res).catch((error: unknown) => {
    const known = error instanceof ApiError ? error : new ApiError(ErrorCode.Internal, 'internal error');
    if (known !== error) route.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(known.status, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(known.toBody()));
  });
}

/**
 * An empty answer telling nginx to serve `uri` itself (X-Accel-Redirect). With a Content-Length of 0
 * (not chunked) nginx keeps the connection for the next held request; a chunked one it closes.
 */
export function redirect(res: ServerResponse, uri: string): void {
  res.writeHead(200, { 'X-Accel-Redirect': uri, 'Content-Length': 0 }).end();
}

/** One PlainRoutes for the whole application: modules add their routes, createHttpApp installs them. */
@Global()
@Module({ providers: [PlainRoutes], exports: [PlainRoutes] })
export class PlainRoutesModule {}
