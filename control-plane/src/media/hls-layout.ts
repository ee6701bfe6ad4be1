// The file layout of the HLS tree under MEDIA_ROOT, named once: the packager writes it, nginx
// templates route it, steering, the API and the player page point at it.
//
//   live/<key>/index.m3u8          multivariant playlist (the origin's)
//   live/<key>/steered.m3u8        the same with Content Steering, served by edges as index.m3u8
//   live/<key>/<variant>/index.m3u8  media playlist of one variant (`source` today)

export const LIVE_DIR = 'live';
export const MASTER_PLAYLIST = 'index.m3u8';
export const MEDIA_PLAYLIST = 'index.m3u8';
export const STEERED_MASTER = 'steered.m3u8';
/**
 * LL-HLS: the media playlist as a delta update (8216bis 6.2.5.1: segments past the skip boundary
 * replaced by EXT-X-SKIP), written beside the full one; served for `_HLS_skip=YES` requests.
 */
export const DELTA_PLAYLIST = 'index.delta.m3u8';
/** The variant packaged from the input as it comes; ABR renditions will be its siblings. */
export const SOURCE_VARIANT = 'source';

/** Files of one variant: segment N, part i of segment N (LL-HLS), and the init segment that starts at N (fMP4). */
export const SEGMENT_PREFIX = 'seg';
export function segmentFile(msn: number, extension: string): string {
  return `${SEGMENT_PREFIX}${msn}.${extension}`;
}
export function partFile(msn: number, part: number): string {
  return `${SEGMENT_PREFIX}${msn}.${part}.m4s`;
}
export const INIT_PREFIX = 'init';
export function initFile(msn: number): string {
  return `${INIT_PREFIX}${msn}.mp4`;
}

/** The URL path players open for a stream (on the origin or any edge). */
export function playbackPath(key: string): string {
  return `/${LIVE_DIR}/${key}/${MASTER_PLAYLIST}`;
}
