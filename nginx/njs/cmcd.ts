// CMCD (CTA-5004) sent by players, in the query or the CMCD-* headers, parsed for the access log.

export type CmcdData = Record<string, string | number | boolean>;

/** CTA-5004 key=value list: strings quoted, numbers and tokens bare, true booleans a bare key. */
function parseCmcd(text: string, into: CmcdData): CmcdData {
  const items = text.match(/([a-zA-Z0-9.-]+)(=("([^"\\]|\\.)*"|[^,]*))?/g) || [];
  for (let i = 0; i < items.length; i++) {
    const eq = items[i].indexOf('=');
    if (eq < 0) {
      into[items[i]] = true;
      continue;
    }
    const key = items[i].slice(0, eq);
    const raw = items[i].slice(eq + 1);
    if (raw.charAt(0) === '"') into[key] = raw.slice(1, -1).replace(/\\(.)/g, '$1');
    else if (raw !== '' && isFinite(Number(raw))) into[key] = Number(raw);
    else into[key] = raw;
  }
  return into;
}

function decodedArgument(value: unknown): string {
  if (typeof value !== 'string') return '';
  try {
    return value.indexOf('%') >= 0 ? decodeURIComponent(value) : value;
  } catch (e) {
    return '';
  }
}

/** CMCD from the query (hls.js's default) and from the four CMCD-* request headers. */
function cmcdOf(r: NginxHTTPRequest): CmcdData {
  const data = parseCmcd(decodedArgument(r.args.CMCD), {});
  const shards = ['CMCD-Object', 'CMCD-Request', 'CMCD-Session', 'CMCD-Status'];
  for (let i = 0; i < shards.length; i++) {
    const header = r.headersIn[shards[i]];
    if (header) parseCmcd(header, data);
  }
  return data;
}

/**
 * js_set $hls_cmcd_parsed: the player's CMCD as a JSON text, for the access log (the rest of the
 * line is nginx's). The config asks only when the request carries CMCD. The control plane reads
 * these lines into per-stream viewer metrics.
 */
function cmcdJson(r: NginxHTTPRequest): string {
  return JSON.stringify(cmcdOf(r));
}

export default { parseCmcd, cmcdJson };
