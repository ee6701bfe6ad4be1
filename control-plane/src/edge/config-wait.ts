import type { ConfigEventsService } from '../events/config-events.service.js';

/** The longest a client may ask to wait for a change (RFC 7240 "Prefer: wait"). */
export const MAX_WAIT_SECONDS = 60;

/** Seconds from a Prefer header's wait preference (RFC 7240 4.3), capped; 0 when absent or malformed. */
export function preferredWaitSeconds(prefer: string | undefined): number {
  const match = /(?:^|[,;\s])wait=(\d{1,6})(?:$|[,;\s])/i.exec(prefer ?? '');
  return match ? Math.min(Number(match[1]), MAX_WAIT_SECONDS) : 0;
}

/**
 * Renders until the result differs from what the client holds (`unchanged` says it does not),
 * re-rendering on every configuration change announced over NOTIFY, for at most `waitMs`.
 * Returns the last rendering, changed or not.
 */
export async function renderWhenChanged(
  events: ConfigEventsService,
  render: () => Promise<string>,
  unchanged: (text: string) => boolean,
  waitMs: number,
): Promise<string> {
  let text = await render();
  if (!unchanged(text) || waitMs <= 0) return text;
  return new Promise<string>((resolve) => {
    let rendering: Promise<void> = Promise.resolve();
    const finish = (): void => {
      clearTimeout(timer);
      unsubscribe();
      resolve(text);
    };
    const timer = setTimeout(finish, waitMs);
    // Renders run one after another: the last event always gets a rendering of its own.
    const unsubscribe = events.subscribe(() => {
      rendering = rendering.then(async () => {
        text = await render().catch(() => text);
        if (!unchanged(text)) finish();
      });
    });
  });
}
