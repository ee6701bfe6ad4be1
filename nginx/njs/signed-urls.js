// Signed playback URLs: the token check in the rewrite phase, and the token carried into every
// URI of the playlists a signed stream's viewers get.
// Written in the language subset njs 0.7.9 runs: no classes, destructuring, spread, for...of,
// Map or Array.from. njs gives every request a fresh VM, so module state is per request.
import cr from 'crypto';
import rules from 'rules.js';

/** A playlist bigger than this is not rewritten (and not ours): passed through untouched. */
var MAX_PLAYLIST_BYTES = 1048576;

function streamOf(uri) {
  var match = rules.STREAM_OF_PATH.exec(uri);
  return match ? match[1] : '';
}

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
  var parts = rules.TOKEN.exec(token);
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
  // $hls_viewer_ip: the viewer's address, as a trusted edge names it, else the peer's.
  var verdict = verifyToken(tokenOf(r), r.variables.hls_signing_keys, streamOf(r.uri), r.variables.hls_viewer_ip, Math.floor(Date.now() / 1000));
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

/**
 * Playlists of signed streams are rewritten, so the token must travel with every URI in them.
 * Not for an edge's request to an origin: the edge caches one copy for every viewer and writes
 * each viewer's own token into it.
 */
function rewritesPlaylist(r) {
  return /\.m3u8$/.test(r.uri) && r.variables.hls_signed === '1' && r.variables.hls_from_edge !== '1' && tokenOf(r) !== '';
}

/** js_header_filter of an origin's playlists: a rewritten playlist changes length. */
function playlistHeaders(r) {
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

export default {
  accessDenied: accessDenied,
  playlistBody: playlistBody,
  rewritesPlaylist: rewritesPlaylist,
  playlistHeaders: playlistHeaders,
  verifyToken: verifyToken,
  playlistWithToken: playlistWithToken,
  sameText: sameText,
};
