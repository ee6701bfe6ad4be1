// The njs entry point of edges (and of origins, for signed URLs) (njs 0.7.9 and 0.8.x): the handlers the edge config names, each a
// thin call into one module per concern:
// - cmsd.js: CMSD headers from wasm-core's cwnd math;
// - signed-urls.js: token checks and tokens carried into playlists;
// - cmcd.js: the player's CMCD for the access log;
// - edge-control.js: purge and access-log pulls for the control plane.
// Written in the language subset njs 0.7.9 runs: no classes, destructuring, spread, for...of,
// Map or Array.from. njs gives every request a fresh VM, so module state is per request.
import cmsd from 'cmsd.js';
import signed from 'signed-urls.js';
import cmcd from 'cmcd.js';
import control from 'edge-control.js';

/**
 * js_header_filter for everything under /live/: the CMSD headers, and for a playlist that gets
 * the token written into it, no Content-Length (it changes). One njs call per response.
 */
function responseHeaders(r) {
  r.headersOut['CMSD-Static'] = cmsd.cmsdStatic(r);
  var dynamic = cmsd.cmsdDynamic(r);
  if (dynamic !== '') r.headersOut['CMSD-Dynamic'] = dynamic;
  if (signed.rewritesPlaylist(r)) delete r.headersOut['Content-Length'];
}

export default {
  responseHeaders: responseHeaders,
  accessDenied: signed.accessDenied,
  playlistBody: signed.playlistBody,
  playlistHeaders: signed.playlistHeaders,
  cmcdJson: cmcd.cmcdJson,
  purge: control.purge,
  accessLogChunk: control.accessLogChunk,
  // plain functions, exported for the njs command-line tests
  maxSuggestedBitrate: cmsd.maxSuggestedBitrate,
  verifyToken: signed.verifyToken,
  playlistWithToken: signed.playlistWithToken,
  parseCmcd: cmcd.parseCmcd,
};
