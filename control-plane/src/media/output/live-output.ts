// One variant's files on disk: segments, the sliding-window media playlist and the master
// playlist, all written atomically. Numbering resumes from the playlist on disk, so media and
// discontinuity sequence numbers never go backwards across restarts.
import { mkdir, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { DELTA_PLAYLIST, INIT_PREFIX, initFile, MEDIA_PLAYLIST, partFile, runTag, SEGMENT_PREFIX, segmentFile } from '../hls-layout.js';
import { MediaPlaylist, parseMediaPlaylist, playlistDuration, writeMediaPlaylist } from '../playlist/media-playlist.js';
import type { FinishedSegment, StreamFormat } from '../segmenter/segment.js';
import { followSourceNumber, recordSequence, type TimelineRole } from '../segmenter/segment-timeline.js';
import { writeFileAtomic, writeFilesAtomic } from './atomic-file.js';
import type { OutputPart, PlaylistPosition, PlaylistUpdate, WrittenSegment } from './output-events.js';
import { MasterWriter } from './master-writer.js';
import type { RenditionReports } from './rendition-reports.js';

export interface LiveOutputOptions {
  /** MEDIA_ROOT/live/<key> */
  streamDir: string;
  /** Sub-directory of this variant; ABR renditions will be its siblings. */
  variant: string;
  windowSegments: number;
  /** Seconds of history the playlist keeps at least (a DVR window players can seek back into); 0: none. */
  dvrSeconds?: number;
  /** Provisional: the first segment published brings the target the segmenter fixed. */
  targetDuration: number;
  extension: string;
  now?: () => number;
  /** Most segment bytes waiting to be written; past it a segment is dropped (default MAX_QUEUED_BYTES). */
  maxQueuedBytes?: number;
  /** LL-HLS: told the newest segment and part the playlist on disk lists, each time it is rewritten. */
  onPlaylist?: (update: PlaylistUpdate) => void;
  /** The stream's multivariant playlist, shared with its other variants; absent: this variant's own. */
  master?: MasterWriter;
  /** LL-HLS: where the stream's other variants have got, shared with them (EXT-X-RENDITION-REPORT). */
  reports?: RenditionReports;
  /** Told of each segment once it is on disk and listed (the ABR quality probe picks from these). */
  onSegment?: (segment: WrittenSegment) => void;
  /** ABR: the source records its media sequence numbers here; rungs number their segments alike. */
  timeline?: TimelineRole;
}

export type { OutputPart, PlaylistPosition, PlaylistUpdate, WrittenSegment } from './output-events.js';

/** The skip boundary (CAN-SKIP-UNTIL) in target durations: the least 8216bis 4.4.3.8 allows. */
const CAN_SKIP_TARGET_DURATIONS = 6;
/** PART-HOLD-BACK in part targets: what 8216bis 4.4.3.8 recommends (2 is the least allowed). */
const PART_HOLD_BACK_PARTS = 3;

/**
 * Segments a delta update leaves out (8216bis 6.2.5.1): those that end more than the skip boundary
 * before the end of the last segment.
 */
export function skippableSegments(p: MediaPlaylist, canSkipUntil: number): number {
  let fromEnd = 0;
  for (let i = p.segments.length - 1; i >= 0; i--) {
    if (fromEnd > canSkipUntil) return i + 1;
    fromEnd += p.segments[i].duration;
  }
  return 0;
}

/** Parts stay listed while their segment ends within this many target durations of the playlist's end (8216bis 4.4.4.9). */
const PART_LISTED_TARGET_DURATIONS = 3;
/** ... and stay downloadable this many target durations after their tags are removed. */
const PART_KEPT_TARGET_DURATIONS = 3;

/**
 * A feed that comes faster than the disk takes it (a burst, a slow or full disk) must not grow the
 * process: past this many bytes waiting to be written, new segments are dropped and counted.
 */
export const MAX_QUEUED_BYTES = 128 * 1024 * 1024;

export interface OutputStats {
  segmentsWritten: number;
  /** Segments or playlists that could not be written (a full disk, an I/O error). */
  writeFailures: number;
  /** The last write's error while writes fail; null once one succeeds again. */
  writeError: string | null;
  lastSegmentAt: Date | null;
  mediaSequence: number;
  discontinuitySequence: number;
}

interface Retired {
  file: string;
  deleteAt: number;
}

export class LiveOutput {
  private playlist: MediaPlaylist;
  private readonly sizes = new Map<string, number>();
  /** Segments in the window cut without a keyframe: while there are any, no independence is claimed. */
  private readonly withoutKeyframe = new Set<string>();
  private readonly retired: Retired[] = [];
  /** LL-HLS: the part files of each listed segment, retired when its part tags go. */
  private readonly partFilesOf = new Map<string, string[]>();
  private readonly now: () => number;
  private resumed = false;
  /** The target is fixed by the first segment published (a resumed playlist never lowers it). */
  private targetFixed = false;
  private readonly master: MasterWriter;
  /** Settles when the writes so far are done; never rejects, so one failure cannot block the next write. */
  private queue: Promise<void> = Promise.resolve();
  /** A segment was lost to a failed write: the next one published starts with a discontinuity. */
  private gap = false;
  private queuedBytes = 0;
  /** LL-HLS: the segment being cut, its parts written so far. */
  private pending: (NonNullable<MediaPlaylist['pending']> & { partFiles: string[] }) | null = null;
  /** fMP4: the init segment of the segments being written (EXT-X-MAP). */
  private map: string | undefined;
  private partTarget = 0;
  /** fMP4 names carry the run (hls-layout.ts): a restart never writes other bytes under a name used before. */
  private readonly run: string;
  readonly stats: OutputStats = { segmentsWritten: 0, writeFailures: 0, writeError: null, lastSegmentAt: null, mediaSequence: 0, discontinuitySequence: 0 };

  constructor(private readonly options: LiveOutputOptions) {
    this.now = options.now ?? Date.now;
    this.master = options.master ?? new MasterWriter(options.streamDir);
    this.run = runTag(this.now());
    this.playlist = { targetDuration: options.targetDuration, mediaSequence: 0, discontinuitySequence: 0, segments: [] };
  }

  private get variantDir(): string {
    return path.join(this.options.streamDir, this.options.variant);
  }

  /** Creates the directories and picks up numbering from a previous run's playlist. */
  async open(): Promise<void> {
    await mkdir(this.variantDir, { recursive: true });
    const previous = await readFile(path.join(this.variantDir, MEDIA_PLAYLIST), 'utf8').then(parseMediaPlaylist, () => null);
    if (previous) {
      // EXT-X-TARGETDURATION must never change for the life of a playlist (6.2.1): the first
      // segment of this run may only raise it (it must, if its segments are longer).
      this.playlist = { ...previous };
      this.resumed = previous.segments.length > 0 || previous.mediaSequence > 0;
      for (const s of previous.segments)
        this.sizes.set(
          s.uri,
          await stat(path.join(this.variantDir, s.uri)).then(
            (st) => st.size,
            () => 0,
          ),
        );
    }
    await this.sweepOrphans();
    this.updateStats();
  }

  /**
   * Adds a segment; calls are serialised so files and playlists change in order. A failed write
   * fails that segment (the promise rejects), not the stream: the next one is tried as usual.
   */
  add(segment: FinishedSegment, format: StreamFormat): Promise<void> {
    return this.enqueue(segment.bytes.length, () => this.write(segment, format));
  }

  private enqueue(size: number, task: () => Promise<void>): Promise<void> {
    if (this.queuedBytes + size > (this.options.maxQueuedBytes ?? MAX_QUEUED_BYTES)) return this.dropBehind(size);
    this.queuedBytes += size;
    const write = this.queue.then(task).finally(() => (this.queuedBytes -= size));
    this.queue = write.catch(() => undefined);
    return write;
  }

  private nextSequence(): number {
    return this.playlist.mediaSequence + this.playlist.segments.length;
  }

  private abandonPending(): void {
    for (const file of this.pending?.partFiles ?? []) this.retire(file, 0);
    this.pending = null;
    this.gap = true;
  }

  /** Writes fall behind the feed: this segment is dropped, and a discontinuity marks its place in the queue. */
  private dropBehind(size: number): Promise<void> {
    this.stats.writeFailures++;
    const error = new Error(`writes fall behind the feed (${this.queuedBytes} bytes queued): a ${size}-byte segment was dropped`);
    this.stats.writeError = error.message;
    this.queue = this.queue.then(() => {
      // A part lost mid-segment takes its segment with it; a lost segment leaves a gap.
      if (this.pending) this.abandonPending();
      this.gap = true;
    });
    return Promise.reject(error);
  }

  /**
   * fMP4: a new init segment, for the segments that follow (the first, or one whose tracks
   * changed). Named after the segment it starts with, so a name is never reused.
   */
  addInit(bytes: Uint8Array): Promise<void> {
    const copy = new Uint8Array(bytes);
    return this.enqueue(copy.length, async () => {
      const uri = initFile(this.nextSequence(), this.run);
      await writeFileAtomic(path.join(this.variantDir, uri), copy);
      this.map = uri;
    });
  }

  /**
   * LL-HLS: one part of the segment being cut, written as its own file and listed at once (the
   * playlist is rewritten and onPlaylist told). A part that cannot be written abandons its
   * segment: its parts leave the playlist and the next segment starts with a discontinuity.
   */
  addPart(part: OutputPart): Promise<void> {
    const copy = new Uint8Array(part.bytes);
    return this.enqueue(copy.length, async () => {
      if (part.segmentStart) {
        const { programDateTime, startPts } = part.segmentStart;
        // Numbered now: the parts' names carry the number (the source's is recorded for its rungs).
        this.follow(startPts);
        recordSequence(this.options.timeline, startPts, this.nextSequence());
        this.pending = {
          programDateTime,
          discontinuity: part.segmentStart.discontinuity || this.gap || this.resumed,
          map: this.map,
          parts: [],
          partFiles: [],
        };
      }
      const pending = this.pending;
      if (!pending) return; // the segment was abandoned: its remaining parts are dropped
      this.partTarget = part.partTargetSeconds;
      const uri = partFile(this.nextSequence(), this.run, pending.parts.length);
      try {
        await writeFileAtomic(path.join(this.variantDir, uri), copy);
      } catch (error) {
        this.abandonPending();
        throw error;
      }
      pending.parts.push({ uri, duration: part.durationSeconds, independent: part.independent });
      pending.partFiles.push(uri);
      await this.writeMediaPlaylist();
    });
  }

  /** LL-HLS: the segment being cut will not be published (it outgrew its cap): its parts leave the playlist. */
  abandonSegment(): Promise<void> {
    return this.enqueue(0, async () => {
      if (this.pending) this.abandonPending();
    });
  }

  /** Waits for pending writes. */
  drain(): Promise<void> {
    return this.queue;
  }

  /** Deletes segments whose availability period is over; call periodically. */
  async collectGarbage(): Promise<void> {
    const now = this.now();
    while (this.retired.length && this.retired[0].deleteAt <= now) {
      const { file } = this.retired.shift()!;
      await unlink(file).catch(() => undefined);
    }
  }

  /** The stream was deleted: its files go. */
  async removeAll(): Promise<void> {
    await this.queue;
    await rm(this.options.streamDir, { recursive: true, force: true });
  }

  private async write(segment: FinishedSegment, format: StreamFormat): Promise<void> {
    try {
      await this.publish(segment, format);
      this.stats.writeError = null;
    } catch (error) {
      this.stats.writeFailures++;
      this.stats.writeError = (error as Error).message;
      throw error;
    } finally {
      // Retention goes on whatever happened: on a full disk, it is what frees the space.
      await this.collectGarbage();
    }
  }

  /**
   * ABR, where a rung numbers a segment starting at `startPts` (its first part, or the whole
   * segment): it takes the source's number (segment-timeline.ts), listing what it missed as gaps.
   */
  private follow(startPts: number): void {
    const follow = followSourceNumber(this.options.timeline, startPts, this.nextSequence());
    if (!follow) return;
    const p = this.playlist;
    if (p.segments.length === 0) {
      p.mediaSequence = follow.startAt;
      return;
    }
    // The gaps belong to what came before: a new init segment (a restarted rung's) comes after them.
    const map = p.segments.at(-1)?.map;
    for (const missed of follow.gaps) {
      const { mediaSequence, durationSeconds, programDateMs } = missed;
      p.segments.push({
        uri: this.segmentUri(mediaSequence),
        duration: durationSeconds,
        programDateTime: new Date(programDateMs),
        discontinuity: false,
        map,
        gap: true,
      });
    }
  }

  /** MPEG-TS segments are written whole, once: their names need no run. */
  private segmentUri(sequence: number): string {
    return segmentFile(sequence, this.options.extension, this.options.extension === 'ts' ? undefined : this.run);
  }

  private async publish(segment: FinishedSegment, format: StreamFormat): Promise<void> {
    const pending = this.pending;
    this.pending = null;
    // A segment made of parts was numbered at its first part (its parts' names carry the number).
    if (!pending) this.follow(segment.startPts);
    const sequence = this.nextSequence();
    const uri = this.segmentUri(sequence);
    try {
      await writeFileAtomic(path.join(this.variantDir, uri), segment.bytes);
    } catch (error) {
      // The segment is lost; its number goes to the next one, which marks the gap (8216bis 4.4.4.3).
      for (const file of pending?.partFiles ?? []) this.retire(file, 0);
      this.gap = true;
      throw error;
    }
    recordSequence(this.options.timeline, segment.startPts, sequence, segment.durationSeconds);
    if (!this.targetFixed) {
      const resumedTarget = this.resumed ? this.playlist.targetDuration : 0;
      this.playlist.targetDuration = Math.max(resumedTarget, segment.targetDuration);
      this.targetFixed = true;
    }
    this.sizes.set(uri, segment.bytes.length);
    if (!segment.startsWithKeyframe) this.withoutKeyframe.add(uri);
    this.playlist.segments.push(
      pending
        ? // LL-HLS: the segment its parts made, listed with them; its start is the first part's.
          {
            uri,
            duration: segment.durationSeconds,
            programDateTime: pending.programDateTime,
            discontinuity: pending.discontinuity,
            map: pending.map,
            parts: pending.parts,
          }
        : {
            uri,
            duration: segment.durationSeconds,
            programDateTime: segment.programDateTime,
            discontinuity: segment.discontinuity || this.resumed || this.gap,
            map: this.map,
          },
    );
    if (pending) this.partFilesOf.set(uri, pending.partFiles);
    this.resumed = false;
    this.gap = false;
    this.slideWindow();
    this.unlistOldParts();
    this.stats.segmentsWritten++;
    this.stats.lastSegmentAt = new Date(this.now());
    this.updateStats();
    const map = pending ? pending.map : this.map;
    this.options.onSegment?.({
      mediaSequence: sequence,
      file: path.join(this.variantDir, uri),
      init: map ? path.join(this.variantDir, map) : null,
      startPts: segment.startPts,
      durationSeconds: segment.durationSeconds,
    });
    // The segment is in the model: a playlist that fails to be written now is written whole with the next one.
    await this.writeMediaPlaylist();
    await this.writeMaster(format);
  }

  private async writeMediaPlaylist(): Promise<void> {
    const p = this.playlist;
    const partTarget = this.partTarget;
    if (partTarget === 0) {
      await writeFileAtomic(path.join(this.variantDir, MEDIA_PLAYLIST), writeMediaPlaylist(p));
      return;
    }
    const canSkipUntil = CAN_SKIP_TARGET_DURATIONS * p.targetDuration;
    const live: MediaPlaylist = {
      ...p,
      lowLatency: { partTarget, partHoldBack: PART_HOLD_BACK_PARTS * partTarget, holdBack: 3 * p.targetDuration, canSkipUntil },
      pending: this.pending ?? undefined,
      preloadHint: partFile(this.nextSequence(), this.run, this.pending?.parts.length ?? 0),
      renditionReports: this.options.reports?.others(this.options.variant),
    };
    // The delta first: a request that sees the new position must find both files at least that new.
    await writeFilesAtomic([
      [path.join(this.variantDir, DELTA_PLAYLIST), writeMediaPlaylist({ ...live, skippedSegments: skippableSegments(p, canSkipUntil) })],
      [path.join(this.variantDir, MEDIA_PLAYLIST), writeMediaPlaylist(live)],
    ]);
    this.options.reports?.report(this.options.variant, this.position());
    const partUri = this.pending?.parts.at(-1)?.uri ?? p.segments.at(-1)?.parts?.at(-1)?.uri ?? null;
    this.options.onPlaylist?.({ ...this.position(), lastSegment: this.nextSequence() - 1, targetDuration: p.targetDuration, partTarget, partUri });
  }

  /** The newest segment and part listed. */
  position(): PlaylistPosition {
    const p = this.playlist;
    if (this.pending && this.pending.parts.length > 0) return { msn: this.nextSequence(), part: this.pending.parts.length - 1 };
    const last = p.segments.at(-1);
    return { msn: this.nextSequence() - 1, part: last?.parts ? last.parts.length - 1 : -1 };
  }

  /** Part tags of segments that ended more than three target durations before the playlist's end go; their files follow later. */
  private unlistOldParts(): void {
    const p = this.playlist;
    let fromEnd = 0;
    for (let i = p.segments.length - 1; i >= 0; i--) {
      const segment = p.segments[i];
      if (fromEnd > PART_LISTED_TARGET_DURATIONS * p.targetDuration && segment.parts) {
        delete segment.parts;
        for (const file of this.partFilesOf.get(segment.uri) ?? []) this.retire(file, PART_KEPT_TARGET_DURATIONS * p.targetDuration * 1000);
        this.partFilesOf.delete(segment.uri);
      }
      fromEnd += segment.duration;
    }
  }

  private retire(uri: string, afterMs: number): void {
    this.retired.push({ file: path.join(this.variantDir, uri), deleteAt: this.now() + afterMs });
    this.retired.sort((a, b) => a.deleteAt - b.deleteAt);
  }

  /**
   * Keeps windowSegments, never less than three target durations (6.2.2), nor less than the DVR
   * window. A removed segment stays on disk for its duration plus the playlist's (the availability
   * duration, 8216bis 6.2.2).
   */
  private slideWindow(): void {
    const p = this.playlist;
    const minimum = Math.max(3 * p.targetDuration, this.options.dvrSeconds ?? 0);
    while (p.segments.length > this.options.windowSegments && playlistDuration(p) - p.segments[0].duration >= minimum) {
      const removed = p.segments.shift()!;
      p.mediaSequence++;
      if (removed.discontinuity) p.discontinuitySequence++;
      this.sizes.delete(removed.uri);
      this.withoutKeyframe.delete(removed.uri);
      for (const file of this.partFilesOf.get(removed.uri) ?? []) this.retire(file, PART_KEPT_TARGET_DURATIONS * p.targetDuration * 1000);
      this.partFilesOf.delete(removed.uri);
      if (removed.gap) continue; // no file behind it
      const keepMs = (removed.duration + playlistDuration(p) + removed.duration) * 1000;
      this.retired.push({ file: path.join(this.variantDir, removed.uri), deleteAt: this.now() + keepMs });
    }
  }

  /** This variant's entry in the stream's multivariant playlist: bit rates measured from what was written. */
  private async writeMaster(format: StreamFormat): Promise<void> {
    // Gaps (no media) count for neither the peak nor the average.
    const media = this.playlist.segments.filter((s) => !s.gap);
    const rates = media.map((s) => ((this.sizes.get(s.uri) ?? 0) * 8) / Math.max(s.duration, 0.001));
    const totalBits = media.reduce((sum, s) => sum + (this.sizes.get(s.uri) ?? 0) * 8, 0);
    const mediaSeconds = media.reduce((sum, s) => sum + s.duration, 0);
    const codecs = [format.videoCodecs, format.audioCodecs].filter((c): c is string => c !== null);
    await this.master.update(
      this.options.variant,
      {
        uri: `${this.options.variant}/${MEDIA_PLAYLIST}`,
        bandwidth: Math.max(...rates),
        averageBandwidth: totalBits / Math.max(mediaSeconds, 0.001),
        codecs,
        resolution: format.width && format.height ? { width: format.width, height: format.height } : undefined,
        frameRate: format.frameRate ?? undefined,
      },
      this.withoutKeyframe.size === 0,
    );
  }

  /** Segment files that no playlist lists and that are older than a window: left by a crash. */
  private async sweepOrphans(): Promise<void> {
    const listed = new Set(this.playlist.segments.flatMap((s) => (s.map ? [s.uri, s.map] : [s.uri])));
    const horizonMs = this.now() - (this.options.windowSegments + 2) * this.playlist.targetDuration * 1000 * 2;
    for (const name of await readdir(this.variantDir)) {
      const file = path.join(this.variantDir, name);
      const orphanSegment = (name.startsWith(SEGMENT_PREFIX) || name.startsWith(INIT_PREFIX)) && !listed.has(name);
      const strayTemp = name.startsWith('.') && name.endsWith('.tmp');
      if (!orphanSegment && !strayTemp) continue;
      const { mtimeMs } = await stat(file).catch(() => ({ mtimeMs: Infinity }));
      if (strayTemp || mtimeMs < horizonMs) await unlink(file).catch(() => undefined);
      else this.retired.push({ file, deleteAt: mtimeMs + (this.now() - horizonMs) });
    }
    this.retired.sort((a, b) => a.deleteAt - b.deleteAt);
  }

  private updateStats(): void {
    this.stats.mediaSequence = this.playlist.mediaSequence + this.playlist.segments.length - 1;
    this.stats.discontinuitySequence = this.playlist.discontinuitySequence;
  }
}
