import type { Page } from 'playwright-core';
import { eventually } from './system.js';

type PlayerWindow = { hls: { playingDate: Date | null; liveSyncPosition: number | null } };

/** How far behind live the player page's hls.js plays, by the EXT-X-PROGRAM-DATE-TIME of the frame on screen; null before it knows. */
function behindLive(page: Page): Promise<number | null> {
  return page.evaluate(() => {
    const date = (window as unknown as PlayerWindow).hls.playingDate;
    return date ? (Date.now() - date.getTime()) / 1000 : null;
  });
}

function playhead(page: Page): Promise<number> {
  return page.evaluate(() => (document.getElementById('video') as HTMLVideoElement).currentTime);
}

export interface DvrSeek {
  /** Seconds behind live before the seek, after it, and after returning. */
  atLive: number;
  rewound: number;
  back: number;
}

/**
 * A viewer's use of a DVR window on the player page: seeks `seconds` back from where hls.js plays,
 * waits until it plays from there (about that much further behind live, the playhead going on by
 * 3 s), then seeks to hls.js's own live position and waits until it is back near where it started.
 * Each step fails the test if it does not happen within 30 s.
 */
export async function seekBackAndReturn(page: Page, seconds: number): Promise<DvrSeek> {
  const atLive = await eventually(async () => (await behindLive(page)) ?? undefined, 20_000, 'a playing date');
  await page.evaluate((back) => {
    const video = document.getElementById('video') as HTMLVideoElement;
    video.currentTime = video.currentTime - back;
  }, seconds);
  const rewound = await eventually(
    async () => {
      const behind = await behindLive(page);
      return behind !== null && behind > atLive + seconds - 10 ? behind : undefined;
    },
    30_000,
    `playing ${seconds} s back`,
  );
  const from = await playhead(page);
  await eventually(async () => ((await playhead(page)) >= from + 3 ? true : undefined), 30_000, 'playback going on in the past');
  await page.evaluate(() => {
    const player = (window as unknown as PlayerWindow).hls;
    (document.getElementById('video') as HTMLVideoElement).currentTime = player.liveSyncPosition ?? 0;
  });
  const back = await eventually(
    async () => {
      const behind = await behindLive(page);
      return behind !== null && behind < atLive + 8 ? behind : undefined;
    },
    30_000,
    'back near live',
  );
  return { atLive, rewound, back };
}
