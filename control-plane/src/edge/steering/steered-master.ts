import { ContentSteering, parseMasterPlaylist, writeMasterPlaylist } from '../../media/playlist/master-playlist.js';
import { LIVE_DIR, MEDIA_PLAYLIST } from '../../media/hls-layout.js';

export interface Pathway {
  id: string;
  /** Where players reach this pathway's edge, e.g. http://edge-1.example.net:8081 */
  baseUrl: string;
}

/**
 * The master playlist edges serve: every variant of the origin's master once per pathway, with
 * absolute URIs on that pathway's edge, and EXT-X-CONTENT-STEERING pointing at the steering
 * manifest. Without pathways it is the origin's master unchanged.
 */
export function steeredMaster(originMaster: string, streamKey: string, pathways: Pathway[], steering: ContentSteering): string {
  if (pathways.length === 0) return originMaster;
  const variants = parseMasterPlaylist(originMaster);
  const copies = pathways.flatMap((pathway) =>
    variants.map((v) => ({
      ...v,
      uri: `${pathway.baseUrl.replace(/\/+$/, '')}/${LIVE_DIR}/${streamKey}/${v.uri}`,
      pathwayId: pathway.id,
      stableVariantId: variantName(v.uri),
    })),
  );
  return writeMasterPlaylist(copies, steering, /^#EXT-X-INDEPENDENT-SEGMENTS$/m.test(originMaster));
}

/** "source/index.m3u8" -> "source": names the variant the same way on every pathway. */
function variantName(uri: string): string {
  const dir = uri === MEDIA_PLAYLIST ? '' : uri.endsWith(`/${MEDIA_PLAYLIST}`) ? uri.slice(0, -MEDIA_PLAYLIST.length - 1) : uri;
  return dir.replace(/[^A-Za-z0-9_.-]/g, '-') || 'main';
}
