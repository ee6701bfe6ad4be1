// LL-HLS rendition reports (RFC 8216bis 4.4.5.4): each variant's media playlist says how far every
// other variant of the stream has got, so a player switching rungs can ask the new one for the
// right part with a blocking request at once. The variants' outputs share one of these: each
// reports its position after writing its playlist, and reads the others' when writing its own.
import { MEDIA_PLAYLIST } from '../hls-layout.js';
import type { RenditionReport } from '../playlist/media-playlist.js';
import type { PlaylistPosition } from './live-output.js';

export class RenditionReports {
  private readonly positions = new Map<string, PlaylistPosition>();

  /** `variant`'s playlist on disk now lists this far. */
  report(variant: string, position: PlaylistPosition): void {
    this.positions.set(variant, position);
  }

  /** Reports for every variant but `variant` that has listed a part, relative to `variant`'s playlist. */
  others(variant: string): RenditionReport[] {
    const reports: RenditionReport[] = [];
    for (const [name, at] of this.positions) {
      if (name === variant || at.part < 0) continue;
      reports.push({ uri: `../${name}/${MEDIA_PLAYLIST}`, lastMsn: at.msn, lastPart: at.part });
    }
    return reports;
  }
}
