// njs module for edges (njs 0.7.9 and 0.8.x). Four jobs, each a thin handler over plain functions:
// - CMSD headers computed by wasm-core's cwnd math (the wasm2js build) from the client's TCP state;
// - signed playback URLs: verify the token, and carry it into the URIs of the playlists served;
// - one JSON access-log line per request with the player's CMCD data;
// - purge: remove a stream's objects from this edge's disk cache.
// Written in the language subset njs 0.7.9 runs: no classes, destructuring, spread, for...of,
// Map or Array.from. njs gives every request a fresh VM, so module state is per request.
import core from 'wasm-core.js';
import cr from 'crypto';
import fs from 'fs';

/** nginx does not expose the MSS; 1448 is Ethernet's 1500 less IP, TCP and timestamp options. */
var MSS = 1448;
/** The share of the estimated throughput a suggested rendition may use: headroom for audio, muxing, variance. */
var MB_SAFETY = 0.8;
/** wasm-core's ladder scratch area holds this many rungs. */
var MAX_LADDER = 32;
var STREAM_KEY = /^[a-z0-9][a-z0-9-]{0,62}$/;
var TOKEN = /^([a-z0-9]{1,16})\.(\d{1,12})\.([ai])\.([A-Za-z0-9_-]{43})$/;
/** The cache file header (key included) sits in its first bytes; 4 KiB holds any key we build. */
var CACHE_HEADER_BYTES = 4096;
/** The most of the access log one pull returns; the control plane pulls again for the rest. */
var LOG_CHUNK_BYTES = 1048576;
/** A playlist bigger than this is not rewritten (and not ours): passed through untouched. */
var MAX_PLAYLIST_BYTES = 1048576;

/** One typed accessor for numeric nginx variables: a number, or 0 when absent or not numeric. */
function numberVariable(r, name) {
  var value = Number(r.variables[name]);
  return isFinite(value) && value > 0 ? value : 0;
}

function streamOf(uri) {
  var match = /^\/live\/([a-z0-9][a-z0-9-]{0,62})\//.exec(uri);
  return match ? match[1] : '';
}

/** CTA-5006 object type: m = manifest (playlist), v = video media segment, o = other. */
function objectType(uri) {
  if (/\.m3u8$/.test(uri)) return 'm';
  if (/\.(ts|m4s|mp4)$/.test(uri)) return 'v';
  return 'o';
}

/** CMSD-Static: the object type and stream type (live) of the response. */
function cmsdStatic(r) {
  return 'ot=' + objectType(r.uri) + ',st=l';
}

/**
 * The highest rung of a ladder ("800,2500,6000", kbit/s ascending, as rendered per stream) that
 * fits under etp x MB_SAFETY, chosen by wasm-core; 0 without a ladder.
 */
function maxSuggestedBitrate(ladderText, etpKbps) {
  if (!ladderText) return 0;
  var rungs = ladderText.split(',');
  var count = Math.min(rungs.length, MAX_LADDER);
  var scratch = new Float64Array(core.memory.buffer, core.cwndScratchPtr(), MAX_LADDER);
  for (var i = 0; i < count; i++) scratch[i] = Number(rungs[i]);
  var best = core.selectRendition(count, etpKbps, MB_SAFETY);
  return best < 0 ? 0 : scratch[best];
}

/**
 * CMSD-Dynamic: "<edge>";etp=<kbps>;rtt=<ms>[;mb=<kbps>], the estimated throughput and RTT of this
 * client connection ($tcpinfo_rtt and $tcpinfo_rttvar are microseconds, $tcpinfo_snd_cwnd is in
 * segments). Empty when the kernel gave no RTT sample (HTTP/3, or before the first ACK).
 */
function cmsdDynamic(r) {
  var rtt = numberVariable(r, 'tcpinfo_rtt');
  var cwnd = numberVariable(r, 'tcpinfo_snd_cwnd');
  if (rtt === 0 || cwnd === 0) return '';
  var etp = core.estimateThroughputKbps(rtt, numberVariable(r, 'tcpinfo_rttvar'), cwnd, MSS, 0);
  var node = r.variables.hls_edge_name || 'edge';
  var mb = maxSuggestedBitrate(r.variables.hls_ladder, etp);
  return '"' + node + '";etp=' + Math.floor(etp) + ';rtt=' + Math.max(1, Math.round(rtt / 1000)) + (mb > 0 ? ';mb=' + mb : '');
}

// ---- signed playback URLs -------------------------------------------------------------------

/** "id:secret id:secret" as rendered by the control plane, newest first. */
function signingKeys(text) {
  var keys = {};
  var pairs = (text || '').split(' ');
  for (var i = 0; i < pairs.length; i++) {
    var colon = pairs[i].indexOf(':');
    if (colon > 0) keys[pairs[i].slice(0, colon)] = pairs[i].slice(colon + 1);
  }
  return keys;
}

/** Same length and every character equal, without stopping at the first difference. */
function sameText(a, b) {
  if (a.length !== b.length) return false;
  var difference = 0;
  for (var i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/**
 * The verdict on a token, computed exactly as the control plane signs it:
 * base64url(HMAC-SHA256(secret, "<stream>\n<expiry>\n<client ip or empty>")).
 */
function verifyToken(token, keysText, stream, clientIp, nowSeconds) {
  if (!token) return 'missing';
  var parts = TOKEN.exec(token);
  if (!parts) return 'malformed';
  var secret = signingKeys(keysText)[parts[1]];
  if (!secret) return 'unknown-key';
  if (Number(parts[2]) <= nowSeconds) return 'expired';
  var message = stream + '\n' + parts[2] + '\n' + (parts[3] === 'i' ? clientIp : '');
  var expected = cr.createHmac('sha256', secret).update(message).digest('base64url');
  return sameText(expected, parts[4]) ? 'ok' : 'bad-signature';
}

function tokenOf(r) {
  var token = r.args.token;
  return typeof token === 'string' ? token : '';
}

/**
 * js_set $hls_denied: empty when the request may proceed, else why not. Evaluated in the
 * server's rewrite phase, before the cache is consulted, so a refused request never reaches or
 * fills the cache. Streams are listed in $hls_signed by the rendered config.
 */
function accessDenied(r) {
  if (r.variables.hls_signed !== '1') return '';
  var verdict = verifyToken(tokenOf(r), r.variables.hls_signing_keys, streamOf(r.uri), r.remoteAddress, Math.floor(Date.now() / 1000));
  return verdict === 'ok' ? '' : verdict;
}

/** Adds token=<token> to a URI, keeping its other query parameters. */
function withToken(uri, token) {
  if (uri === '' || /^data:/.test(uri) || /[?&]token=/.test(uri)) return uri;
  var hash = uri.indexOf('#');
  var tail = hash >= 0 ? uri.slice(hash) : '';
  var head = hash >= 0 ? uri.slice(0, hash) : uri;
  return head + (head.indexOf('?') >= 0 ? '&' : '?') + 'token=' + token + tail;
}

/** Every URI line and URI="..." attribute of a playlist, with the token added. */
function playlistWithToken(text, token) {
  var lines = text.split('\n');
  for (var i = 0; i < lines.length; i++) {
    var line = lines[i];
    if (line.charAt(0) === '#') {
      lines[i] = line.replace(/URI="([^"]*)"/g, function (whole, uri) {
        return 'URI="' + withToken(uri, token) + '"';
      });
    } else if (line.trim() !== '') {
      lines[i] = withToken(line.trim(), token);
    }
  }
  return lines.join('\n');
}

/** Playlists of signed streams are rewritten, so the token must travel with every URI in them. */
function rewritesPlaylist(r) {
  return r.variables.hls_signed === '1' && tokenOf(r) !== '' && objectType(r.uri) === 'm';
}

/**
 * js_header_filter for everything under /live/: the CMSD headers, and for a playlist that gets
 * the token written into it, no Content-Length (it changes). One njs call per response.
 */
function responseHeaders(r) {
  r.headersOut['CMSD-Static'] = cmsdStatic(r);
  var dynamic = cmsdDynamic(r);
  if (dynamic !== '') r.headersOut['CMSD-Dynamic'] = dynamic;
  if (rewritesPlaylist(r)) delete r.headersOut['Content-Length'];
}

var playlistBuffer = '';
var playlistTooBig = false;

/** js_body_filter: collects the playlist, then sends it with the token in every URI. */
function playlistBody(r, data, flags) {
  if (!rewritesPlaylist(r) || playlistTooBig) {
    r.sendBuffer(data, flags);
    return;
  }
  playlistBuffer += data;
  if (playlistBuffer.length > MAX_PLAYLIST_BYTES) {
    playlistTooBig = true;
    r.sendBuffer(playlistBuffer, flags);
    playlistBuffer = '';
    return;
  }
  if (flags.last) r.sendBuffer(playlistWithToken(playlistBuffer, tokenOf(r)), flags);
}

// ---- CMCD access log ------------------------------------------------------------------------

/** CTA-5004 key=value list: strings quoted, numbers and tokens bare, true booleans a bare key. */
function parseCmcd(text, into) {
  var items = text.match(/([a-zA-Z0-9.-]+)(=("([^"\\]|\\.)*"|[^,]*))?/g) || [];
  for (var i = 0; i < items.length; i++) {
    var eq = items[i].indexOf('=');
    if (eq < 0) {
      into[items[i]] = true;
      continue;
    }
    var key = items[i].slice(0, eq);
    var raw = items[i].slice(eq + 1);
    if (raw.charAt(0) === '"') into[key] = raw.slice(1, -1).replace(/\\(.)/g, '$1');
    else if (raw !== '' && isFinite(Number(raw))) into[key] = Number(raw);
    else into[key] = raw;
  }
  return into;
}

function decodedArgument(value) {
  if (typeof value !== 'string') return '';
  try {
    return value.indexOf('%') >= 0 ? decodeURIComponent(value) : value;
  } catch (e) {
    return '';
  }
}

/** CMCD from the query (hls.js's default) and from the four CMCD-* request headers. */
function cmcdOf(r) {
  var data = parseCmcd(decodedArgument(r.args.CMCD), {});
  var shards = ['CMCD-Object', 'CMCD-Request', 'CMCD-Session', 'CMCD-Status'];
  for (var i = 0; i < shards.length; i++) {
    var header = r.headersIn[shards[i]];
    if (header) parseCmcd(header, data);
  }
  return data;
}

/**
 * js_set $hls_cmcd_parsed: the player's CMCD as a JSON text, for the access log (the rest of the
 * line is nginx's). The config asks only when the request carries CMCD. The control plane reads
 * these lines into per-stream viewer metrics.
 */
function cmcdJson(r) {
  return JSON.stringify(cmcdOf(r));
}

// ---- purge ----------------------------------------------------------------------------------

/** The cache key nginx stores in a cache file's header, after "\nKEY: ". */
function cacheKeyOf(file) {
  var fd;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    return null;
  }
  var header = Buffer.alloc(CACHE_HEADER_BYTES);
  var length = 0;
  try {
    length = fs.readSync(fd, header, 0, CACHE_HEADER_BYTES, 0);
  } catch (e) {
    length = 0;
  }
  fs.closeSync(fd);
  var text = '';
  for (var i = 0; i < length; i++) text += String.fromCharCode(header[i] < 128 ? header[i] : 63);
  var start = text.indexOf('\nKEY: ');
  if (start < 0) return null;
  var end = text.indexOf('\n', start + 6);
  return end < 0 ? null : text.slice(start + 6, end);
}

/** Deletes, under `dir` (levels=1:2), every cache file whose key starts with `prefix`. */
function purgeDirectory(dir, prefix) {
  var removed = 0;
  var entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    return 0;
  }
  for (var i = 0; i < entries.length; i++) {
    var entry = dir + '/' + entries[i].name;
    if (entries[i].isDirectory()) {
      removed += purgeDirectory(entry, prefix);
      continue;
    }
    var key = cacheKeyOf(entry);
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

/** The control plane's own requests (purge, log pulls) carry the token rendered for this node. */
function fromControlPlane(r) {
  var expected = r.variables.hls_purge_token || '';
  if (expected !== '' && sameText(r.headersIn['X-Purge-Token'] || '', expected)) return true;
  r.return(403, '{"error":"this needs the node\'s X-Purge-Token"}\n');
  return false;
}

/**
 * js_content for POST /_hls/purge[?stream=<key>]: removes cached objects (of one stream, or all
 * live objects). nginx notices the missing file at the next request and fetches it again.
 */
function purge(r) {
  if (!fromControlPlane(r)) return;
  if (r.method !== 'POST') {
    r.return(405, '{"error":"use POST"}\n');
    return;
  }
  var stream = typeof r.args.stream === 'string' ? r.args.stream : '';
  if (stream !== '' && !STREAM_KEY.test(stream)) {
    r.return(400, '{"error":"stream must be a stream key"}\n');
    return;
  }
  var removed = purgeDirectory(r.variables.hls_cache_dir, stream === '' ? '/live/' : '/live/' + stream + '/');
  r.headersOut['Content-Type'] = 'application/json';
  r.return(200, JSON.stringify({ removed: removed, stream: stream === '' ? null : stream }) + '\n');
}

/**
 * js_content for GET /_hls/access-log?offset=<bytes|end>: the complete lines of the access log
 * from `offset` on (at most LOG_CHUNK_BYTES), and in X-Log-Next where to go on from; `end` only
 * answers where the log ends now. A log that shrank (rotated, truncated) is read from its start.
 * The control plane pulls every edge's log this way for its viewer metrics.
 */
function accessLogChunk(r) {
  if (!fromControlPlane(r)) return;
  var file = r.variables.hls_access_log_file;
  var size = 0;
  try {
    size = fs.statSync(file).size;
  } catch (e) {
    size = 0;
  }
  var offset = r.args.offset === 'end' ? size : Number(r.args.offset);
  if (!(offset >= 0) || offset > size) offset = 0;
  var length = Math.min(size - offset, LOG_CHUNK_BYTES);
  var whole = 0;
  var text = '';
  if (length > 0) {
    var chunk = Buffer.alloc(length);
    var fd = fs.openSync(file, 'r');
    var read = 0;
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

export default {
  responseHeaders: responseHeaders,
  accessDenied: accessDenied,
  playlistBody: playlistBody,
  cmcdJson: cmcdJson,
  purge: purge,
  accessLogChunk: accessLogChunk,
  // plain functions, exported for the njs command-line tests
  maxSuggestedBitrate: maxSuggestedBitrate,
  verifyToken: verifyToken,
  playlistWithToken: playlistWithToken,
  parseCmcd: parseCmcd,
};
