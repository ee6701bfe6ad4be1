// The picture size each live stream's feed arrives with, as its ingest last reported it. The API
// cannot know a source's size before a feed arrives; once one does, a ladder change that would
// upscale it is refused (ladder-rules.ts). Written by the ingest, read by the streams service: a
// registry here keeps the streams module free of the ingest module (which depends on it).
import { Injectable } from '@nestjs/common';

export interface PictureSize {
  width: number;
  height: number;
}

@Injectable()
export class SourcePictures {
  private readonly sizes = new Map<string, PictureSize>();

  /** A stream's feed is this size now; null when it stopped or its size is not known. */
  report(streamId: string, size: PictureSize | null): void {
    if (size) this.sizes.set(streamId, size);
    else this.sizes.delete(streamId);
  }

  of(streamId: string): PictureSize | null {
    return this.sizes.get(streamId) ?? null;
  }
}
