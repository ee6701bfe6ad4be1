import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { beyondCatchUp, installLiveJump, LIVE_JUMP_SOURCE, LiveJumpPlayer } from '../control-plane/src/player/live-jump.js';
import { playerPage } from '../control-plane/src/player/player-page.js';

/** A stand-in for the page's <video>: the events the check listens to, and the playhead it moves. */
class FakeVideo extends EventTarget {
  currentTime = 10;
  ended = false;
  seekTo(seconds: number): void {
    this.currentTime = seconds;
    this.dispatchEvent(new Event('seeking'));
  }
}

describe("the player page's return to live (hls.js joined too far behind to catch up)", () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval'] }));
  afterEach(() => mock.timers.reset());

  const ll = { live: true, partTarget: 0.2, targetduration: 2 };
  const start = (player: LiveJumpPlayer) => {
    const video = new FakeVideo();
    // The player's seek to its live position fires 'seeking' as a browser does.
    const jumps = installLiveJump(video as unknown as HTMLVideoElement, () => player, 2000, beyondCatchUp);
    const realSet = Object.getOwnPropertyDescriptor(video, 'currentTime')!;
    let value = realSet.value as number;
    Object.defineProperty(video, 'currentTime', {
      get: () => value,
      set: (v: number) => {
        value = v;
        video.dispatchEvent(new Event('seeking'));
      },
    });
    return { video, jumps };
  };

  it("uses hls.js's own bound: rate catch-up only within target latency + one target duration of the target", () => {
    // Target 0.6 s, 2 s segments: hls.js catches up below 3.2 s behind.
    assert.equal(beyondCatchUp(1.1, 0.6, 2, Infinity), false);
    assert.equal(beyondCatchUp(3.1, 0.6, 2, Infinity), false);
    assert.equal(beyondCatchUp(3.41, 0.6, 2, Infinity), true);
    assert.equal(beyondCatchUp(4.15, 1, 2, Infinity), true);
    // A configured maximum latency narrows it.
    assert.equal(beyondCatchUp(2.0, 0.6, 2, 1), true);
  });

  it('moves a player that plays beyond catch-up on two checks in a row to the live position, once', () => {
    const player: LiveJumpPlayer = { latency: 3.5, targetLatency: 0.6, maxLatency: Infinity, liveSyncPosition: 42, details: ll };
    const { video, jumps } = start(player);
    video.dispatchEvent(new Event('playing'));
    mock.timers.tick(2000);
    assert.equal(jumps(), 0, 'one check is not enough');
    mock.timers.tick(2000);
    assert.equal(jumps(), 1);
    assert.equal(video.currentTime, 42);
    // At live now: nothing more to do, and its own seek is not taken for the viewer's.
    player.latency = 1.1;
    mock.timers.tick(10_000);
    assert.equal(jumps(), 1);
    // Far behind again later (a long stall, say), without the viewer having acted: moved again.
    player.latency = 5;
    mock.timers.tick(4000);
    assert.equal(jumps(), 2);
  });

  it("never undoes the viewer's choice: a seek (a DVR window) or a pause after playback started", () => {
    const player: LiveJumpPlayer = { latency: 60, targetLatency: 0.6, maxLatency: Infinity, liveSyncPosition: 100, details: ll };
    const seeker = start(player);
    seeker.video.dispatchEvent(new Event('playing'));
    seeker.video.seekTo(40);
    mock.timers.tick(20_000);
    assert.equal(seeker.jumps(), 0);
    assert.equal(seeker.video.currentTime, 40);

    const pauser = start(player);
    pauser.video.dispatchEvent(new Event('playing'));
    pauser.video.dispatchEvent(new Event('pause'));
    mock.timers.tick(20_000);
    assert.equal(pauser.jumps(), 0);
  });

  it('leaves standard HLS, VOD, and a player that has not started alone', () => {
    const standard = start({
      latency: 12,
      targetLatency: 6,
      maxLatency: Infinity,
      liveSyncPosition: 50,
      details: { live: true, partTarget: 0, targetduration: 2 },
    });
    standard.video.dispatchEvent(new Event('playing'));
    const vod = start({ latency: 12, targetLatency: 0.6, maxLatency: Infinity, liveSyncPosition: 50, details: { ...ll, live: false } });
    vod.video.dispatchEvent(new Event('playing'));
    const waiting = start({ latency: 12, targetLatency: 0.6, maxLatency: Infinity, liveSyncPosition: 50, details: ll });
    mock.timers.tick(20_000);
    assert.deepEqual([standard.jumps(), vod.jumps(), waiting.jumps()], [0, 0, 0]);
  });

  it('the page carries this very code', () => {
    const page = playerPage(8080);
    assert.ok(page.includes(LIVE_JUMP_SOURCE));
    assert.match(page, /window\.liveJumps = installLiveJump\(video, /);
  });
});
