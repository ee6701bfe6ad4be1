// The nginx variables our configs define for njs, read through one typed accessor so a misspelt
// name is a compile error, not an empty string at run time. Each is set in a template
// (signed-access.conf.template, edge-server.conf.template, origin-server.conf.template); a test
// checks that every name here is defined there.

const HLS_VARIABLES = [
  'hls_signed',
  'hls_signing_keys',
  'hls_viewer_ip',
  'hls_from_edge',
  'hls_edge_name',
  'hls_ladder',
  'hls_control_token',
  'hls_cache_dir',
  'hls_access_log_file',
] as const;

export type HlsVariable = (typeof HLS_VARIABLES)[number];

/** The variable's value, or '' when nginx has none. */
function hlsVariable(r: NginxHTTPRequest, name: HlsVariable): string {
  const value = r.variables[name];
  return typeof value === 'string' ? value : '';
}

export default { HLS_VARIABLES, hlsVariable };
