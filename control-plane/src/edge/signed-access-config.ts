import { renderTemplateFile } from '../nginx/nginx-config.js';
import { LAYOUT_TEMPLATE_VALUES } from './layout-template-values.js';
import type { SigningKey } from './signing/playback-token.js';

/** What origins and edges alike need to check signed playback URLs (nginx/signed-access.conf.template). */
export interface SignedAccessInput {
  /** Where the njs modules are (edge.js, the modules it imports, wasm-core.js). */
  njsDir: string;
  /** Keys of streams with playback.signedUrls. */
  signedStreams: string[];
  /** Verifying keys, signing key first. */
  signingKeys: SigningKey[];
  /** Control tokens of the edges whose X-HLS-Viewer-IP is believed (origins only). */
  trustedEdgeTokens: string[];
}

/** The rendered config cannot work: it is reported on the node instead of being applied. */
export class NodeConfigError extends Error {}

/** A token goes into a quoted nginx string: it must not be able to end it. */
const SAFE_TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

/** The signed-access block both server templates include, and the keys line they set. */
export async function renderSignedAccess(input: SignedAccessInput): Promise<{ SIGNED_ACCESS: string; SIGNING_KEYS: string }> {
  for (const token of input.trustedEdgeTokens) if (!SAFE_TOKEN.test(token)) throw new NodeConfigError('an edge control token has characters nginx cannot take');
  const block = await renderTemplateFile('signed-access.conf.template', {
    ...LAYOUT_TEMPLATE_VALUES,
    NJS_DIR: input.njsDir,
    SIGNED_STREAMS: input.signedStreams.map((key) => `    ${key} 1;`).join('\n'),
    TRUSTED_EDGES: input.trustedEdgeTokens.map((token) => `    "${token}" 1;`).join('\n'),
  });
  return { SIGNED_ACCESS: block.trimEnd(), SIGNING_KEYS: input.signingKeys.map((k) => `${k.id}:${k.secret}`).join(' ') };
}
