// The player page's return to live for low-latency streams, written here as plain functions whose
// source the page includes (Function.prototype.toString: ES2020, no imports), so a unit test runs
// the very code the browser does.
//
// Why: hls.js (1.7.4, latency-controller.ts) moves its playback rate towards its target latency only
// while the distance to that target is under min(maxLatency, target latency + target duration);
// further behind counts as DVR playback and is left there. It sometimes joins an LL stream just
// past that bound (bench:llhls: 3.4-4.2 s behind instead of about 1.1 s, in about one join in six,
// with no stall and no error) and stays there for good.

/** Whether hls.js, playing `latency` seconds behind live, has stopped catching up by itself. */
export function beyondCatchUp(latency: number, targetLatency: number, targetDuration: number, maxLatency: number): boolean {
  return latency - targetLatency >= Math.min(maxLatency, targetLatency + targetDuration);
}

/** What the page's check needs of hls.js and the video element. */
export interface LiveJumpPlayer {
  latency: number;
  targetLatency: number | null;
  maxLatency: number;
  liveSyncPosition: number | null;
  /** The playing level's playlist, when loaded. */
  details: { live: boolean; partTarget: number; targetduration: number } | null;
}

/**
 * Installs the check on `video`: every `everyMs`, a low-latency live stream playing beyond hls.js's
 * catch-up on two checks in a row is moved to hls.js's live position. Only until the viewer acts:
 * a seek or a pause after playback started is where they chose to be (a DVR window, time-shift),
 * never undone. Returns the number of jumps made so far.
 */
export function installLiveJump(video: HTMLVideoElement, player: () => LiveJumpPlayer, everyMs: number, beyond: typeof beyondCatchUp): () => number {
  let started = false;
  let viewerActed = false;
  let jumping = false;
  let farChecks = 0;
  let jumps = 0;
  video.addEventListener('playing', () => {
    started = true;
  });
  video.addEventListener('pause', () => {
    if (started && !video.ended) viewerActed = true;
  });
  video.addEventListener('seeking', () => {
    if (started && !jumping) viewerActed = true;
    jumping = false;
  });
  setInterval(() => {
    const p = player();
    const details = p.details;
    if (!started || viewerActed || !details || !details.live || !(details.partTarget > 0) || p.targetLatency === null) return;
    farChecks = beyond(p.latency, p.targetLatency, details.targetduration, p.maxLatency) ? farChecks + 1 : 0;
    if (farChecks < 2 || p.liveSyncPosition === null) return;
    farChecks = 0;
    jumps++;
    jumping = true;
    video.currentTime = p.liveSyncPosition;
  }, everyMs);
  return () => jumps;
}

/** The page's script text for both functions. */
export const LIVE_JUMP_SOURCE = `${beyondCatchUp.toString()}\n${installLiveJump.toString()}`;
