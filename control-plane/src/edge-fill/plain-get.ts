import http from 'node:http';
import https from 'node:https';

/** A GET's answer, read whole. */
export interface PlainAnswer {
  status: number;
  /** A response header's value (several joined with ", "), or null. */
  header(name: string): string | null;
  body: Buffer;
}

/** Each scheme's client; connections to the edges stay open between fills (a fill every part, per edge with held viewers). */
const CLIENTS = {
  'http:': { request: http.request, agent: new http.Agent({ keepAlive: true }) },
  'https:': { request: https.request, agent: new https.Agent({ keepAlive: true }) },
};

/**
 * A GET with node's own HTTP client over a kept-alive connection, asking for no content coding (the
 * edge does not compress what it sends here, and nothing is decompressed). Cache fills sit between a
 * part's arrival and the held viewers' answers, once per object: a loop of local GETs of a 3 kB
 * playlist, client and server in one process, cost 350-440 µs of CPU per request with fetch() and
 * 180-200 µs with this.
 */
export function plainGet(url: string, headers: Record<string, string>, timeoutMs: number): Promise<PlainAnswer> {
  const target = new URL(url);
  const client = CLIENTS[target.protocol as keyof typeof CLIENTS];
  if (!client) return Promise.reject(new Error(`unsupported URL scheme ${target.protocol}`));
  return new Promise((resolve, reject) => {
    const request = client.request(target, { agent: client.agent, headers, signal: AbortSignal.timeout(timeoutMs) }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const header = (name: string): string | null => {
          const value = response.headers[name.toLowerCase()];
          if (value === undefined) return null;
          return Array.isArray(value) ? value.join(', ') : value;
        };
        resolve({ status: response.statusCode ?? 0, header, body: Buffer.concat(chunks) });
      });
    });
    request.on('error', reject);
    request.end();
  });
}
