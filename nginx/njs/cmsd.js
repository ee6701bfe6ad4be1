// CMSD (CTA-5006) for edge responses, computed by wasm-core's cwnd math (the wasm2js build)
// from the TCP state nginx reports for the client connection.
// Written in the language subset njs 0.7.9 runs: no classes, destructuring, spread, for...of,
// Map or Array.from. njs gives every request a fresh VM, so module state is per request.
import rules from 'rules.js';
import core from 'wasm-core.js';

/** The share of the estimated throughput a suggested rendition may use: headroom for audio, muxing, variance. */
var MB_SAFETY = 0.8;

/** One typed accessor for numeric nginx variables: a number, or 0 when absent or not numeric. */
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
  var count = Math.min(rungs.length, rules.MAX_LADDER);
  var scratch = new Float64Array(core.memory.buffer, core.cwndScratchPtr(), rules.MAX_LADDER);
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
  var etp = core.estimateThroughputKbps(rtt, numberVariable(r, 'tcpinfo_rttvar'), cwnd, rules.ASSUMED_MSS, 0);
  var node = r.variables.hls_edge_name || 'edge';
  var mb = maxSuggestedBitrate(r.variables.hls_ladder, etp);
  return '"' + node + '";etp=' + Math.floor(etp) + ';rtt=' + Math.max(1, Math.round(rtt / 1000)) + (mb > 0 ? ';mb=' + mb : '');
}

export default { objectType: objectType, cmsdStatic: cmsdStatic, cmsdDynamic: cmsdDynamic, maxSuggestedBitrate: maxSuggestedBitrate };
