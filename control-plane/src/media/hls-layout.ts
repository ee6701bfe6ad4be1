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

/**
 * Files of one variant: segment N, part i of segment N (LL-HLS), and the init segment that starts
 * at N (fMP4). fMP4 names also carry the packaging run (a tag from its start time): a run that ends
 * mid-segment (a restart) has written parts of segment N that the next run writes again with other
 * bytes, and caches keep every such file as immutable, so a name is never used twice.
 */
export const SEGMENT_PREFIX = 'seg';
export const INIT_PREFIX = 'init';
export function segmentFile(msn: number, extension: string, run?: string): string {
  return `${SEGMENT_PREFIX}${msn}${run ? `-${run}` : ''}.${extension}`;
}
export function partFile(msn: number, run: string, part: number): string {
  return `${SEGMENT_PREFIX}${msn}-${run}.${part}.m4s`;
}
export function initFile(msn: number, run: string): string {
  return `${INIT_PREFIX}${msn}-${run}.mp4`;
}
/** A part's file name as a regular expression: captures its segment's media sequence number and its index. */
export const PART_FILE_SOURCE = `${SEGMENT_PREFIX}(\\d{1,15})-[a-z0-9]{1,12}\\.(\\d{1,6})\\.m4s`;
/** The run tag of output started at `ms` (milliseconds since the epoch). */
export function runTag(ms: number): string {
  return Math.floor(ms).toString(36);
}

/** The URL path players open for a stream (on the origin or any edge). */
export function playbackPath(key: string): string {
  return `/${LIVE_DIR}/${key}/${MASTER_PLAYLIST}`;
}
