import { chromium, Browser, Page } from 'playwright-core';

/** Debian's Chromium, headless, with the flags this machine needs (no sandbox as root, no background traffic). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/**
 * Opens the player page at `url` in Chromium and waits until hls.js plays and the playhead moves
 * on by two seconds; `check` then looks at the page before the browser closes.
 */
export async function playsInChromium(url: string, check?: (page: Page) => Promise<void>): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('state')?.textContent === 'playing', undefined, { timeout: 30_000 });
    const at = await page.evaluate(() => (document.getElementById('video') as HTMLVideoElement).currentTime);
    await page.waitForFunction((t) => (document.getElementById('video') as HTMLVideoElement).currentTime > t + 2, at, { timeout: 15_000 });
    await check?.(page);
  } finally {
    await browser.close();
  }
}
