import { renderServerConfig } from '../nginx/nginx-config.js';
import { LAYOUT_TEMPLATE_VALUES } from './layout-template-values.js';
import { renderSignedAccess, SignedAccessInput } from './signed-access-config.js';

/** Everything an origin's nginx server config is made of; gathered from the database by EdgeConfigService. */
export interface OriginConfigInput extends SignedAccessInput {
  /** nginx `listen` value: `8080`, `127.0.0.1:8080`. */
  listen: string;
  /** The packager's output; served under /live/. */
  mediaRoot: string;
  /** host:port of the control plane, where LL-HLS blocking requests wait. */
  controlPlaneAddress: string;
}

export async function renderOriginConfig(input: OriginConfigInput): Promise<string> {
  return renderServerConfig('origin-server.conf.template', {
    ...LAYOUT_TEMPLATE_VALUES,
    ...(await renderSignedAccess(input)),
    LISTEN: input.listen,
    MEDIA_ROOT: input.mediaRoot,
    CONTROL_PLANE_ADDRESS: input.controlPlaneAddress,
  });
}
