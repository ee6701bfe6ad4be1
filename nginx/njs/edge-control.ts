// What the control plane asks of an edge, with the node's edge control token: purge cached
// objects, and read the access log for viewer metrics.
import fs from 'fs';
import variables from 'hls-variables.js';
import rules from 'rules.js';
import tokens from 'token-check.js';

/** The cache file header (key included) sits in its first bytes; 4 KiB holds any key we build. */
const CACHE_HEADER_BYTES = 4096;
/** The most of the access log one pull returns; the control plane pulls again for the rest. */
const LOG_CHUNK_BYTES = 1048576;

/** The cache key nginx stores in a cache file's header, after "\nKEY: ". */
function cacheKeyOf(file: string): string | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    return null;
  }
  const header = Buffer.alloc(CACHE_HEADER_BYTES);
  let length = 0;
  try {
    length = fs.readSync(fd, header, 0, CACHE_HEADER_BYTES, 0);
  } catch (e) {
    length = 0;
  }
  fs.closeSync(fd);
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(header[i] < 128 ? header[i] : 63);
  const start = text.indexOf('\nKEY: ');
  if (start < 0) return null;
  const end = text.indexOf('\n', start + 6);
  return end < 0 ? null : text.slice(start + 6, end);
}

function listDirectory(dir: string) {
  return fs.readdirSync(dir, { withFileTypes: true });
}

/** Deletes, under `dir` (levels=1:2), every cache file whose key starts with `prefix`. */
function purgeDirectory(dir: string, prefix: string): number {
  let removed = 0;
  let entries: ReturnType<typeof listDirectory>;
  try {
    entries = listDirectory(dir);
  } catch (e) {
    return 0;
  }
  for (let i = 0; i < entries.length; i++) {
    const entry = dir + '/' + entries[i].name;
    if (entries[i].isDirectory()) {
      removed += purgeDirectory(entry, prefix);
      continue;
    }
    let key = cacheKeyOf(entry);
    // Keys start with the signed flag ("0|" or "1|", see proxy_cache_key), then the path.
    if (key !== null) key = key.replace(/^[01]\|/, '');
    if (key === null || key.indexOf(prefix) !== 0) continue;
    try {
      fs.unlinkSync(entry);
      removed++;
    } catch (e) {
      // already gone: another purge or the cache manager won the race
    }
  }
  return removed;
}

/** The control plane's own requests (purge, log pulls) carry the edge control token rendered for this node. */
function fromControlPlane(r: NginxHTTPRequest): boolean {
  const expected = variables.hlsVariable(r, 'hls_control_token');
  if (expected !== '' && tokens.sameText(r.headersIn['X-HLS-Control-Token'] || '', expected)) return true;
  r.return(403, '{"error":"this needs the node\'s X-HLS-Control-Token"}\n');
  return false;
}

/**
 * js_content for POST /_hls/purge[?stream=<key>]: removes cached objects (of one stream, or all
 * live objects). nginx notices the missing file at the next request and fetches it again.
 */
function purge(r: NginxHTTPRequest): void {
  if (!fromControlPlane(r)) return;
  if (r.method !== 'POST') {
    r.return(405, '{"error":"use POST"}\n');
    return;
  }
  const stream = typeof r.args.stream === 'string' ? r.args.stream : '';
  if (stream !== '' && !rules.STREAM_KEY.test(stream)) {
    r.return(400, '{"error":"stream must be a stream key"}\n');
    return;
  }
  const removed = purgeDirectory(variables.hlsVariable(r, 'hls_cache_dir'), stream === '' ? rules.LIVE_PREFIX : rules.LIVE_PREFIX + stream + '/');
  r.headersOut['Content-Type'] = 'application/json';
  r.return(200, JSON.stringify({ removed: removed, stream: stream === '' ? null : stream }) + '\n');
}

/**
 * js_content for GET /_hls/access-log?offset=<bytes|end>: the complete lines of the access log
 * from `offset` on (at most LOG_CHUNK_BYTES), and in X-Log-Next where to go on from; `end` only
 * answers where the log ends now. A log that shrank (rotated, truncated) is read from its start.
 * The control plane pulls every edge's log this way for its viewer metrics.
 */
function accessLogChunk(r: NginxHTTPRequest): void {
  if (!fromControlPlane(r)) return;
  const file = variables.hlsVariable(r, 'hls_access_log_file');
  let size = 0;
  try {
    size = fs.statSync(file).size;
  } catch (e) {
    size = 0;
  }
  let offset = r.args.offset === 'end' ? size : Number(r.args.offset);
  if (!(offset >= 0) || offset > size) offset = 0;
  const length = Math.min(size - offset, LOG_CHUNK_BYTES);
  let whole = 0;
  let text = '';
  if (length > 0) {
    const chunk = Buffer.alloc(length);
    const fd = fs.openSync(file, 'r');
    let read = 0;
    try {
      read = fs.readSync(fd, chunk, 0, length, offset);
    } finally {
      fs.closeSync(fd);
    }
    for (whole = read; whole > 0 && chunk[whole - 1] !== 10; whole--);
    text = chunk.slice(0, whole).toString();
  }
  r.headersOut['Content-Type'] = 'application/x-ndjson';
  r.headersOut['X-Log-Next'] = String(offset + whole);
  r.return(200, text);
}

export default { purge, accessLogChunk };
