import assert from 'node:assert/strict';
import http from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Logger } from '@nestjs/common';
import { ApiError } from '../control-plane/src/common/api-error.js';
import { PlainRoutes, redirect } from '../control-plane/src/common/plain-routes.js';

/** One raw HTTP/1.1 exchange, so the framing (Content-Length or chunked) is visible. */
function exchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (/\r\n\r\n/.test(text)) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', reject);
    socket.connect(port, '127.0.0.1', () => socket.write(request));
  });
}

describe('plain routes: held LL-HLS requests answered before Express', () => {
  const server = http.createServer((_req, res) => res.writeHead(299, { 'X-Fallback': '1' }).end());
  const routes = new PlainRoutes();
  let port = 0;
  const logged: string[] = [];
  const logger = { error: (message: string) => logged.push(message) } as unknown as Logger;
  before(async () => {
    routes.install(server);
    routes.add('/internal/held', logger, async (req, res) => {
      if (req.url?.includes('bad')) throw ApiError.invalidField('_HLS_msn', 'must be a non-negative integer');
      if (req.url?.includes('crash')) throw new Error('boom');
      redirect(res, '/live/a/source/_ll1/index.m3u8');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers its prefix with an X-Accel-Redirect framed by Content-Length: 0 (nginx keeps such an upstream connection; a chunked one it closes)', async () => {
    const head = await exchange(port, 'GET /internal/held/live/a/source/index.m3u8?_HLS_msn=1 HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 200 /);
    assert.match(head, /\r\nX-Accel-Redirect: \/live\/a\/source\/_ll1\/index\.m3u8\r\n/i);
    assert.match(head, /\r\nContent-Length: 0\r\n/i);
    assert.doesNotMatch(head, /Transfer-Encoding/i);
    assert.match(head, /\r\nConnection: keep-alive\r\n/i);
  });

  it('leaves other paths, look-alike prefixes and other methods to the server’s own listener', async () => {
    for (const request of ['GET /api/v1/streams HTTP/1.1', 'GET /internal/heldx/a HTTP/1.1', 'POST /internal/held/a HTTP/1.1']) {
      const head = await exchange(port, `${request}\r\nHost: x\r\nContent-Length: 0\r\n\r\n`);
      assert.match(head, /^HTTP\/1\.1 299 /, request);
    }
  });

  it('answers what the handler throws in the API’s error shape: the ApiError’s status and field, anything else a 500', async () => {
    const bad = await fetch(`http://127.0.0.1:${port}/internal/held/bad`);
    assert.equal(bad.status, 400);
    assert.match(bad.headers.get('content-type') ?? '', /application\/json/);
    const body = (await bad.json()) as { code: string; fields: { field: string }[] };
    assert.equal(body.fields[0].field, '_HLS_msn');
    const crash = await fetch(`http://127.0.0.1:${port}/internal/held/crash`);
    assert.equal(crash.status, 500);
    assert.equal(((await crash.json()) as { message: string }).message, 'internal error');
    assert.match(logged.join('\n'), /boom/, 'an unexpected error is logged with its stack');
  });
});
