// Signed playback URLs: the token check in the rewrite phase, and the token carried into every
// URI of the playlists a signed stream's viewers get. The verdict itself is token-check.ts, the
// same code the control plane signs and checks with.
import cr from 'crypto';
import variables from 'hls-variables.js';
import rules from 'rules.js';
import tokens, { TokenVerdict } from 'token-check.js';

/** A playlist bigger than this is not rewritten (and not ours): passed through untouched. */
const MAX_PLAYLIST_BYTES = 1048576;

function streamOf(uri: string): string {
  const match = rules.STREAM_OF_PATH.exec(uri);
  return match ? match[1] : '';
}

/** "id:secret id:secret" as rendered by the control plane, newest first. */
function signingKeys(text: string): Record<string, string> {
  const keys: Record<string, string> = {};
  const pairs = text.split(' ');
  for (let i = 0; i < pairs.length; i++) {
    const colon = pairs[i].indexOf(':');
    if (colon > 0) keys[pairs[i].slice(0, colon)] = pairs[i].slice(colon + 1);
  }
  return keys;
}

/** njs's HMAC behind token-check.ts's adapter. */
function hmacBase64Url(secret: string, message: string): string {
  return cr.createHmac('sha256', secret).update(message).digest('base64url');
}

/** The verdict on a token, with the keys as the config renders them ("id:secret ..."). */
function verifyToken(token: string, keysText: string, stream: string, clientIp: string, nowSeconds: number): TokenVerdict {
  const keys = signingKeys(keysText);
  const secretOf = (id: string): string | null => (Object.prototype.hasOwnProperty.call(keys, id) ? keys[id] : null);
  return tokens.tokenVerdict(token, secretOf, stream, clientIp, nowSeconds, hmacBase64Url);
}

function tokenOf(r: NginxHTTPRequest): string {
  const token = r.args.token;
  return typeof token === 'string' ? token : '';
}

/**
 * js_set $hls_denied: empty when the request may proceed, else why not. Evaluated in the
 * server's rewrite phase, before the cache is consulted, so a refused request never reaches or
 * fills the cache. Streams are listed in $hls_signed by the rendered config.
 */
function accessDenied(r: NginxHTTPRequest): string {
  if (variables.hlsVariable(r, 'hls_signed') !== '1') return '';
  // $hls_viewer_ip: the viewer's address, as a trusted edge names it, else the peer's.
  const now = Math.floor(Date.now() / 1000);
  const verdict = verifyToken(tokenOf(r), variables.hlsVariable(r, 'hls_signing_keys'), streamOf(r.uri), variables.hlsVariable(r, 'hls_viewer_ip'), now);
  return verdict === 'ok' ? '' : verdict;
}

/** Adds token=<token> to a URI, keeping its other query parameters. */
function withToken(uri: string, token: string): string {
  if (uri === '' || /^data:/.test(uri) || /[?&]token=/.test(uri)) return uri;
  const hash = uri.indexOf('#');
  const tail = hash >= 0 ? uri.slice(hash) : '';
  const head = hash >= 0 ? uri.slice(0, hash) : uri;
  return head + (head.indexOf('?') >= 0 ? '&' : '?') + 'token=' + token + tail;
}

/** Every URI line and URI="..." attribute of a playlist, with the token added. */
function playlistWithToken(text: string, token: string): string {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.charAt(0) === '#') {
      lines[i] = line.replace(/URI="([^"]*)"/g, (whole: string, uri: string) => 'URI="' + withToken(uri, token) + '"');
    } else if (line.trim() !== '') {
      lines[i] = withToken(line.trim(), token);
    }
  }
  return lines.join('\n');
}

/**
 * Playlists of signed streams are rewritten, so the token must travel with every URI in them.
 * Not for an edge's request to an origin: the edge caches one copy for every viewer and writes
 * each viewer's own token into it.
 */
function rewritesPlaylist(r: NginxHTTPRequest): boolean {
  return /\.m3u8$/.test(r.uri) && variables.hlsVariable(r, 'hls_signed') === '1' && variables.hlsVariable(r, 'hls_from_edge') !== '1' && tokenOf(r) !== '';
}

/** js_header_filter of an origin's playlists: a rewritten playlist changes length. */
function playlistHeaders(r: NginxHTTPRequest): void {
  if (rewritesPlaylist(r)) delete r.headersOut['Content-Length'];
}

// njs gives every request a fresh VM, so this module state is per request.
let playlistBuffer = '';
let playlistTooBig = false;

/** js_body_filter: collects the playlist, then sends it with the token in every URI. */
function playlistBody(r: NginxHTTPRequest, data: string | Buffer, flags: NginxHTTPSendBufferOptions): void {
  if (!rewritesPlaylist(r) || playlistTooBig) {
    r.sendBuffer(data, flags);
    return;
  }
  // A Buffer where the config asks for one (buffer_type=buffer); our playlists are ASCII, so a
  // chunk boundary never splits a character.
  playlistBuffer += typeof data === 'string' ? data : data.toString();
  if (playlistBuffer.length > MAX_PLAYLIST_BYTES) {
    playlistTooBig = true;
    r.sendBuffer(playlistBuffer, flags);
    playlistBuffer = '';
    return;
  }
  if (flags.last) r.sendBuffer(playlistWithToken(playlistBuffer, tokenOf(r)), flags);
}

export default { accessDenied, playlistBody, rewritesPlaylist, playlistHeaders, verifyToken, playlistWithToken };
