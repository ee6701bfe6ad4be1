// Worker thread entry: hosts the ingest of several streams on its own event loop.
import { statfs } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { STATUS_INTERVAL_MS, type FromWorker, type ToWorker } from './ingest-protocol.js';
import { IngestHost, StreamIngest } from './stream-ingest.js';

/** How often buffers are drained on a quiet socket and stalls are checked (packets drain on arrival too). */
const TICK_MS = 20;

const port = parentPort!;
const host = workerData as IngestHost;
const { mediaRoot } = host;
const streams = new Map<string, StreamIngest>();
let chain: Promise<void> = Promise.resolve();

const send = (message: FromWorker) => port.postMessage(message);
const logger = (key: string) => ({
  log: (message: string) => send({ type: 'log', level: 'log', message: `[ingest ${key}] ${message}` }),
  warn: (message: string) => send({ type: 'log', level: 'warn', message: `[ingest ${key}] ${message}` }),
});

async function handle(message: ToWorker): Promise<void> {
  if (message.type === 'start') {
    const previous = streams.get(message.stream.id);
    if (previous) await previous.stop(false);
    const { id, key } = message.stream;
    const ingest = new StreamIngest(message.stream, host, logger(key), (variant, update) => send({ type: 'playlist', id, key, variant, update }));
    streams.set(message.stream.id, ingest);
    try {
      await ingest.start();
    } catch (error) {
      ingest.fail((error as Error).message);
      await ingest.stop(false).catch(() => undefined);
      send({ type: 'log', level: 'error', message: `[ingest ${message.stream.key}] cannot start: ${(error as Error).message}` });
    }
    send({ type: 'status', id: message.stream.id, status: ingest.status(performance.now()) });
  } else if (message.type === 'rtmp') {
    streams.get(message.id)?.onRtmp(message.event);
  } else {
    const ingest = streams.get(message.id);
    streams.delete(message.id);
    if (ingest) await ingest.stop(message.removeFiles).catch((error: Error) => send({ type: 'log', level: 'error', message: error.message }));
    send({ type: 'stopped', id: message.id });
  }
}

// Start and stop are applied in order: a quick stop-start of one stream never races itself.
port.on('message', (message: ToWorker) => {
  chain = chain.then(() => handle(message)).catch((error: Error) => send({ type: 'log', level: 'error', message: error.stack ?? error.message }));
});

setInterval(() => {
  const now = performance.now();
  for (const ingest of streams.values()) {
    try {
      ingest.tick(now);
    } catch (error) {
      send({ type: 'log', level: 'error', message: `[ingest ${ingest.config.key}] ${(error as Error).message}` });
    }
  }
}, TICK_MS);

/** Free space of MEDIA_ROOT, read once per status round for every stream of this worker. */
async function mediaRootFreeBytes(): Promise<number | null> {
  try {
    const fs = await statfs(mediaRoot);
    return fs.bavail * fs.bsize;
  } catch {
    return null;
  }
}

setInterval(() => {
  void mediaRootFreeBytes().then((free) => {
    const now = performance.now();
    for (const [id, ingest] of streams) send({ type: 'status', id, status: ingest.status(now, free) });
  });
}, STATUS_INTERVAL_MS);
