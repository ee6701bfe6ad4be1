import net from 'node:net';

export interface RawAnswer {
  /** performance.now() when the first byte of the answer arrived. */
  firstByteAt: number;
  status: number;
  /** X-Cache-Status, when the server sent one. */
  cacheStatus: string | null;
}

/**
 * One viewer's persistent connection, as a browser keeps one to a server it polls: GETs one after
 * another over it, each timed at its answer's first byte. The answer is read to its end by its
 * framing (Content-Length, or chunked: nginx gzips playlists on the fly), so the next request can
 * follow on the same connection.
 */
export class KeepAliveConnection {
  private readonly socket: net.Socket;
  private readonly connected: Promise<void>;
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: (() => void) | null = null;
  private failure: Error | null = null;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.wake();
    });
    this.socket.on('error', (error) => {
      this.failure = error;
      this.wake();
    });
    this.socket.on('close', () => {
      this.failure ??= new Error('the server closed the connection');
      this.wake();
    });
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
    await this.connected;
    const extra = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}\r\n`);
    await this.until(() => this.buffer.length > 0);
    const firstByteAt = performance.now();
    await this.until(() => this.buffer.indexOf('\r\n\r\n') >= 0);
    const headEnd = this.buffer.indexOf('\r\n\r\n') + 4;
    const head = this.buffer.subarray(0, headEnd).toString('latin1');
    this.buffer = this.buffer.subarray(headEnd);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (length) {
      const bytes = Number(length[1]);
      await this.until(() => this.buffer.length >= bytes);
      this.buffer = this.buffer.subarray(bytes);
    } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
      await this.skipChunks();
    } else {
      throw new Error(`an answer without a length on a kept connection: ${head.split('\r\n')[0]}`);
    }
    return {
      firstByteAt,
      status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0),
      cacheStatus: /\r\nx-cache-status: *([^\r]*)/i.exec(head)?.[1] ?? null,
    };
  }

  close(): void {
    this.socket.destroy();
  }

  /** Chunks until the last (size 0) and its empty trailer. */
  private async skipChunks(): Promise<void> {
    for (;;) {
      await this.until(() => this.buffer.indexOf('\r\n') >= 0);
      const lineEnd = this.buffer.indexOf('\r\n');
      const size = parseInt(this.buffer.subarray(0, lineEnd).toString('latin1'), 16);
      if (!Number.isFinite(size)) throw new Error('a malformed chunk size');
      // The chunk's data and its CRLF (for the last chunk: the empty trailer's CRLF).
      await this.until(() => this.buffer.length >= lineEnd + 2 + size + 2);
      this.buffer = this.buffer.subarray(lineEnd + 2 + size + 2);
      if (size === 0) return;
    }
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.();
  }

  private async until(ready: () => boolean): Promise<void> {
    while (!ready()) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }
}
