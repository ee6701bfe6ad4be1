import { SLUG_SOURCE } from '../common/slug.js';
import { BLOCKING_PREFIX, EDGE_BLOCKING_PREFIX, EDGE_LL_DIR, LL_PART_DIR, LL_PLAYLIST_DIR } from '../low-latency/ll-routes.js';
import { LIVE_DIR, MASTER_PLAYLIST, MEDIA_PLAYLIST, PART_FILE_SOURCE, STEERED_MASTER } from '../media/hls-layout.js';

/** A literal text as a regular expression (PCRE, as nginx's location and map regexes are). */
function regexLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The stream-key rule and the HLS tree's names as every nginx template uses them, so templates hold
 * placeholders, not copies: ${STREAM_KEY} in regexes, ${LIVE}, file names as paths and as regexes.
 */
export const LAYOUT_TEMPLATE_VALUES: Readonly<Record<string, string>> = {
  STREAM_KEY: SLUG_SOURCE,
  LIVE: LIVE_DIR,
  MASTER_PLAYLIST,
  MASTER_PLAYLIST_RE: regexLiteral(MASTER_PLAYLIST),
  STEERED_MASTER,
  STEERED_MASTER_RE: regexLiteral(STEERED_MASTER),
  MEDIA_PLAYLIST_RE: regexLiteral(MEDIA_PLAYLIST),
  BLOCKING_PREFIX,
  EDGE_BLOCKING_PREFIX,
  EDGE_LL_DIR,
  LL_PLAYLIST_DIR,
  LL_PART_DIR,
  PART_FILE_RE: PART_FILE_SOURCE,
};
