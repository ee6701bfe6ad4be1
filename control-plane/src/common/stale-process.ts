import { readFile } from 'node:fs/promises';

/**
 * A process a crashed control plane left behind (its embedded PostgreSQL or origin nginx still
 * holding the data directory or the port): reads its pid file, signals it, and waits for it to go.
 * Returns true when there was one.
 */
export async function stopStaleProcess(pidFile: string, signal: NodeJS.Signals, timeoutMs = 10_000): Promise<boolean> {
  const text = await readFile(pidFile, 'utf8').catch(() => null);
  const pid = text ? Number(text.split('\n')[0].trim()) : NaN;
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid || !alive(pid)) return false;
  process.kill(pid, signal);
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
