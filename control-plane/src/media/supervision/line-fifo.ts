// A named pipe (FIFO) a helper process writes text lines into, for output that must not share its
// stdout with media: srt-live-transmit writes the received MPEG-TS to stdout and can write its
// statistics only to a path (it cannot open an inherited descriptor). The FIFO lives in a private
// temporary folder; this side opens it read-write and non-blocking, so neither the open here nor
// the helper's open for writing waits for the other (a read-only open would block a libuv thread
// until the helper starts), and a helper that is restarted simply opens it again.
import { execFileSync } from 'node:child_process';
import { constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

export class LineFifo {
  /** Where the helper is told to write. */
  readonly path: string;
  private readonly dir: string;
  private readonly socket: Socket;

  /** `onLine` gets each complete line; a partial line left by a helper that died is completed by the next one's text. */
  constructor(prefix: string, onLine: (line: string) => void) {
    this.dir = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
    this.path = path.join(this.dir, 'lines.fifo');
    try {
      // Node has no mkfifo; coreutils' is on every system this runs on (Debian, the node image).
      execFileSync('mkfifo', ['-m', '600', this.path]);
      const fd = openSync(this.path, constants.O_RDWR | constants.O_NONBLOCK);
      this.socket = new Socket({ fd, readable: true, writable: false });
    } catch (error) {
      rmSync(this.dir, { recursive: true, force: true });
      throw error;
    }
    createInterface({ input: this.socket }).on('line', onLine);
  }

  close(): void {
    this.socket.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
