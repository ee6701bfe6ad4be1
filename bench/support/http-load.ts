import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { childPids, cpuSeconds } from './cpu.js';

export interface Load {
  requests: number;
  bytes: number;
  seconds: number;
  /** CPU the server's nginx workers spent, in microseconds per request. */
  cpuUsPerRequest: number;
}

/** CPU seconds of an nginx's workers (the master in `prefix`/nginx.pid does no request work). */
export function workerCpu(prefix: string): number {
  const master = Number(readFileSync(path.join(prefix, 'nginx.pid'), 'utf8'));
  return childPids(master).reduce((sum, pid) => sum + cpuSeconds(pid), 0);
}

/**
 * `requests` GETs of one URL over `connections` parallel keep-alive connections, made by curl
 * (a C client: a Node client tops out near the speed of the servers it measures, and its own CPU
 * competes with theirs). Every response must be a 200; `bytes` counts what came over the wire
 * (compressed, when a header asks for gzip).
 */
export async function load(
  server: { port: number; prefix: string },
  route: string,
  requests: number,
  connections: number,
  headers: string[] = [],
): Promise<Load> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hls-load-'));
  const config = path.join(dir, 'curl.cfg');
  const url = `http://127.0.0.1:${server.port}${route}`;
  // One block per request, separated by "next": curl's `header` option accumulates across the
  // URLs of one block, so a repeated block without "next" sent the Nth request N copies of each
  // header. "next" resets the per-URL options, so silent and write-out are in every block.
  const request = [
    `url = "${url}"`,
    'output = "/dev/null"',
    'silent',
    'write-out = "%{http_code} %{size_download}\\n"',
    ...headers.map((h) => `header = "${h}"`),
  ].join('\n');
  await writeFile(config, Array.from({ length: requests }, () => request).join('\nnext\n') + '\n');
  try {
    const cpuBefore = workerCpu(server.prefix);
    const started = performance.now();
    const result = spawnSync('curl', ['-s', '-Z', '--parallel-max', String(connections), '-K', config], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const elapsed = (performance.now() - started) / 1000;
    if (result.error) throw new Error(`curl could not run (${result.error.message}); install it: apt-get install -y curl`);
    const lines = result.stdout.trim().split('\n');
    const bad = lines.filter((l) => !l.startsWith('200 '));
    if (lines.length !== requests || bad.length > 0)
      throw new Error(`${url}: ${lines.length} of ${requests} answered, ${bad.length} not 200 (${bad[0] ?? ''})`);
    const bytes = lines.reduce((sum, l) => sum + Number(l.split(' ')[1]), 0);
    return { requests, bytes, seconds: elapsed, cpuUsPerRequest: ((workerCpu(server.prefix) - cpuBefore) * 1e6) / requests };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
