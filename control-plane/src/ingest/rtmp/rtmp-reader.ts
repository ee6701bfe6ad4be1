// Reads a published RTMP stream back from the front over loopback and hands it on as MPEG-TS,
// without re-encoding: ffmpeg's RTMP client and FLV demuxer, `-c copy`, MPEG-TS to a pipe (no loss
// between it and the ingest, unlike a UDP hop). Runs only while a publisher is in; a reader that
// dies meanwhile is started again after a back-off.
import { RestartBackoff } from '../../media/supervision/restart-backoff.js';
import { SupervisedChild } from '../../media/supervision/supervised-child.js';

export interface RtmpReaderOptions {
  /** rtmp://127.0.0.1:<port>/live/<key> */
  url: string;
  onData: (chunk: Buffer) => void;
  /** The reader stopped on its own (null while it is being started again). */
  onExit: (reason: string) => void;
  binary?: string;
  backoffMs?: number;
}

export function rtmpReaderArgs(url: string): string[] {
  return [
    ...['-nostdin', '-hide_banner', '-loglevel', 'error'],
    // FLV announces its tracks (onMetaData, the AVC and AAC headers) up front: no long probe needed.
    ...['-fflags', '+nobuffer', '-analyzeduration', '1000000', '-i', url],
    ...['-map', '0:v?', '-map', '0:a?', '-c', 'copy', '-f', 'mpegts', 'pipe:1'],
  ];
}

export class RtmpReader {
  private readonly child: SupervisedChild;

  constructor(options: RtmpReaderOptions) {
    this.child = new SupervisedChild({
      command: options.binary ?? 'ffmpeg',
      args: rtmpReaderArgs(options.url),
      installHint: 'apt-get install ffmpeg',
      backoff: new RestartBackoff(options.backoffMs ?? 500, 5000),
      onSpawn: (child) => child.stdout!.on('data', (chunk: Buffer) => this.child.pid === child.pid && options.onData(chunk)),
      onDied: (reason) => options.onExit(reason.replace(/^ffmpeg exited/, 'the RTMP reader (ffmpeg) exited')),
    });
  }

  /** Times it was started again while a publisher was in. */
  get restarts(): number {
    return this.child.restarts;
  }

  start(): void {
    this.child.start();
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}
