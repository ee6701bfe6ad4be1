// The njs entry point of edges (and of origins, for signed URLs), for njs 0.7.9 and 0.8.x: the
// handlers the configs name, each a thin call into one module per concern:
// - cmsd.ts: CMSD headers from wasm-core's cwnd math;
// - signed-urls.ts: token checks and tokens carried into playlists;
// - cmcd.ts: the player's CMCD for the access log;
// - edge-control.ts: purge and access-log pulls for the control plane.
// Written in TypeScript, type-checked against njs's own type definitions (njs-types) and compiled
// to ES5 (nginx/njs/tsconfig.json), the subset njs 0.7.9 runs. Test-only entry points are in
// testing.ts, not here.
import cmcd from 'cmcd.js';
import cmsd from 'cmsd.js';
import control from 'edge-control.js';
import signed from 'signed-urls.js';

/**
 * js_header_filter for everything under /live/: the CMSD headers, and for a playlist that gets
 * the token written into it, no Content-Length (it changes). One njs call per response.
 */
function responseHeaders(r: NginxHTTPRequest): void {
  r.headersOut['CMSD-Static'] = cmsd.cmsdStatic(r);
  const dynamic = cmsd.cmsdDynamic(r);
  if (dynamic !== '') r.headersOut['CMSD-Dynamic'] = dynamic;
  if (signed.rewritesPlaylist(r)) delete r.headersOut['Content-Length'];
}

export default {
  responseHeaders,
  accessDenied: signed.accessDenied,
  playlistBody: signed.playlistBody,
  playlistHeaders: signed.playlistHeaders,
  cmcdJson: cmcd.cmcdJson,
  purge: control.purge,
  accessLogChunk: control.accessLogChunk,
};
