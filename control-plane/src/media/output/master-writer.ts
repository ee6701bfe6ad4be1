// A stream's multivariant playlist, shared by the outputs of all its variants (the source and each
// ABR rung): each reports its own entry as its segments come, and the playlist is rewritten when
// the text changes. The first variant listed is where players start (Apple's authoring spec), so it
// is the one nearest under START_VARIANT_BANDWIDTH, as measured; the others follow from the highest
// bandwidth down (see startFirst).
import path from 'node:path';
import { MASTER_PLAYLIST } from '../hls-layout.js';
import { startFirst, Variant, writeMasterPlaylist } from '../playlist/master-playlist.js';
import { writeFileAtomic } from './atomic-file.js';

export class MasterWriter {
  private readonly entries = new Map<string, { variant: Variant; independent: boolean }>();
  private text = '';

  constructor(private readonly streamDir: string) {}

  /** `independent`: every segment of the variant's window starts with a keyframe. */
  async update(name: string, variant: Variant, independent: boolean): Promise<void> {
    this.entries.set(name, { variant, independent });
    const all = [...this.entries.values()];
    const text = writeMasterPlaylist(
      startFirst(all.map((e) => e.variant)),
      undefined,
      all.every((e) => e.independent),
    );
    if (text === this.text) return;
    await writeFileAtomic(path.join(this.streamDir, MASTER_PLAYLIST), text);
    this.text = text;
  }
}
