// njs module for edges (njs 0.7.9 and 0.8.x): per-response CMSD headers computed by wasm-core's
// cwnd math (the wasm2js build), from the TCP state nginx reports for the client connection.
// Written in the language subset njs 0.7.9 runs: no classes, destructuring, spread or for...of.
import core from 'wasm-core.js';

/** nginx does not expose the MSS; 1448 is Ethernet's 1500 less IP, TCP and timestamp options. */
var MSS = 1448;

/** One typed accessor for nginx variables: a number, or 0 when absent or not numeric. */
function numberVariable(r, name) {
  var value = Number(r.variables[name]);
  return isFinite(value) && value > 0 ? value : 0;
}

/** CTA-5006 object type: m = manifest (playlist), v = video media segment, o = other. */
function objectType(uri) {
  if (/\.m3u8$/.test(uri)) return 'm';
  if (/\.(ts|m4s|mp4)$/.test(uri)) return 'v';
  return 'o';
}

/** js_set $cmsd_static: the object type and stream type (live) of the response. */
function cmsdStatic(r) {
  return 'ot=' + objectType(r.uri) + ',st=l';
}

/**
 * js_set $cmsd_dynamic: "<edge>";etp=<kbps>;rtt=<ms>, the estimated throughput and RTT of this
 * client connection ($tcpinfo_rtt and $tcpinfo_rttvar are microseconds, $tcpinfo_snd_cwnd is in
 * segments). Empty when the kernel gave no RTT sample (HTTP/3, or before the first ACK).
 */
function cmsdDynamic(r) {
  var rtt = numberVariable(r, 'tcpinfo_rtt');
  var cwnd = numberVariable(r, 'tcpinfo_snd_cwnd');
  if (rtt === 0 || cwnd === 0) return '';
  var etp = core.estimateThroughputKbps(rtt, numberVariable(r, 'tcpinfo_rttvar'), cwnd, MSS, 0);
  var node = r.variables.hls_edge_name || 'edge';
  return '"' + node + '";etp=' + Math.floor(etp) + ';rtt=' + Math.max(1, Math.round(rtt / 1000));
}

export default { cmsdStatic: cmsdStatic, cmsdDynamic: cmsdDynamic };
