// A stream's multivariant playlist, shared by the outputs of all its variants (the source and each
// ABR rung): each reports its own entry as its segments come, and the playlist is rewritten when
// the text changes. Variants are listed in the order given (the source, then the rungs as
// configured), whichever writes its first segment first: the first listed is where a player that
// picks by order starts.
import path from 'node:path';
import { MASTER_PLAYLIST } from '../hls-layout.js';
import { Variant, writeMasterPlaylist } from '../playlist/master-playlist.js';
import { writeFileAtomic } from './atomic-file.js';

export class MasterWriter {
  private readonly entries = new Map<string, { variant: Variant; independent: boolean }>();
  private text = '';

  constructor(
    private readonly streamDir: string,
    /** Variant names in listing order; a name not in it comes after them. */
    private readonly order: string[] = [],
  ) {}

  /** `independent`: every segment of the variant's window starts with a keyframe. */
  async update(name: string, variant: Variant, independent: boolean): Promise<void> {
    this.entries.set(name, { variant, independent });
    const rank = (name: string) => (this.order.includes(name) ? this.order.indexOf(name) : this.order.length);
    const all = [...this.entries.entries()].sort(([a], [b]) => rank(a) - rank(b)).map(([, entry]) => entry);
    const text = writeMasterPlaylist(
      all.map((e) => e.variant),
      undefined,
      all.every((e) => e.independent),
    );
    if (text === this.text) return;
    await writeFileAtomic(path.join(this.streamDir, MASTER_PLAYLIST), text);
    this.text = text;
  }
}
