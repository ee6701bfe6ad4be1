import { stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * The first directory on the way to `target` that other users cannot enter (no o+x), or null.
 * Services that drop root (PostgreSQL, nginx workers) must walk these paths as another user.
 */
export async function firstClosedDirectory(target: string): Promise<{ dir: string; mode: number } | null> {
  let dir = path.resolve(target);
  while (dir !== path.dirname(dir)) {
    dir = path.dirname(dir);
    try {
      const { mode } = await stat(dir);
      if ((mode & 0o001) === 0) return { dir, mode: mode & 0o777 };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return null;
}
