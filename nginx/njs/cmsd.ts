// CMSD (CTA-5006) for edge responses, computed by wasm-core's cwnd math (the wasm2js build)
// from the TCP state nginx reports for the client connection.
import variables from 'hls-variables.js';
import rules from 'rules.js';
import core from 'wasm-core.js';

/** The share of the estimated throughput a suggested rendition may use: headroom for audio, muxing, variance. */
const MB_SAFETY = 0.8;

/** nginx's $tcpinfo_* (ngx_http_core_module): a number, or 0 when absent or not numeric. */
function tcpInfo(r: NginxHTTPRequest, name: 'tcpinfo_rtt' | 'tcpinfo_rttvar' | 'tcpinfo_snd_cwnd'): number {
  const value = Number(r.variables[name]);
  return isFinite(value) && value > 0 ? value : 0;
}

/** CTA-5006 object type: m = manifest (playlist), v = video media segment, o = other. */
function objectType(uri: string): string {
  if (/\.m3u8$/.test(uri)) return 'm';
  if (/\.(ts|m4s|mp4)$/.test(uri)) return 'v';
  return 'o';
}

/** CMSD-Static: the object type and stream type (live) of the response. */
function cmsdStatic(r: NginxHTTPRequest): string {
  return 'ot=' + objectType(r.uri) + ',st=l';
}

/**
 * The highest rung of a ladder ("800,2500,6000", kbit/s ascending, as rendered per stream) that
 * fits under etp x MB_SAFETY, chosen by wasm-core; 0 (no mb) without a ladder, when no rung fits,
 * or when the top one does.
 */
function maxSuggestedBitrate(ladderText: string, etpKbps: number): number {
  if (!ladderText) return 0;
  const rungs = ladderText.split(',');
  const count = Math.min(rungs.length, rules.MAX_LADDER);
  const scratch = new Float64Array(core.memory.buffer, core.cwndScratchPtr(), rules.MAX_LADDER);
  for (let i = 0; i < count; i++) scratch[i] = Number(rungs[i]);
  const best = core.selectRendition(count, etpKbps, MB_SAFETY);
  // The ladder lists the transcoded rungs; the source, passed through above them, is not in it (its
  // bitrate is measured, not configured). When the top rung fits, the source may too: no cap.
  return best < 0 || best === count - 1 ? 0 : scratch[best];
}

/**
 * CMSD-Dynamic: "<edge>";etp=<kbps>;rtt=<ms>[;mb=<kbps>], the estimated throughput and RTT of this
 * client connection ($tcpinfo_rtt and $tcpinfo_rttvar are microseconds, $tcpinfo_snd_cwnd is in
 * segments). Empty when the kernel gave no RTT sample (HTTP/3, or before the first ACK).
 */
function cmsdDynamic(r: NginxHTTPRequest): string {
  const rtt = tcpInfo(r, 'tcpinfo_rtt');
  const cwnd = tcpInfo(r, 'tcpinfo_snd_cwnd');
  if (rtt === 0 || cwnd === 0) return '';
  const etp = core.estimateThroughputKbps(rtt, tcpInfo(r, 'tcpinfo_rttvar'), cwnd, rules.ASSUMED_MSS, 0);
  const node = variables.hlsVariable(r, 'hls_edge_name') || 'edge';
  const mb = maxSuggestedBitrate(variables.hlsVariable(r, 'hls_ladder'), etp);
  return '"' + node + '";etp=' + Math.floor(etp) + ';rtt=' + Math.max(1, Math.round(rtt / 1000)) + (mb > 0 ? ';mb=' + mb : '');
}

export default { cmsdStatic, cmsdDynamic, maxSuggestedBitrate };
