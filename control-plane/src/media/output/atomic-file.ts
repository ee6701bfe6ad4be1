import { randomBytes } from 'node:crypto';
import { rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes a file so readers see either the old or the new content, never a part: a temporary
 * name in the same directory (same file system), then rename(2).
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  await writeFilesAtomic([[file, data]]);
}

/**
 * Several files, each replaced atomically, in the order given: their temporary copies are written
 * at once (one write's latency, not one per file), then renamed one after another, so a reader that
 * sees a later file's new content finds every earlier one new too.
 */
export async function writeFilesAtomic(files: [file: string, data: Uint8Array | string][]): Promise<void> {
  const temps = files.map(([file]) => path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`));
  try {
    await Promise.all(files.map(([, data], i) => writeFile(temps[i], data)));
    for (let i = 0; i < files.length; i++) await rename(temps[i], files[i][0]);
  } catch (error) {
    await Promise.all(temps.map((temp) => unlink(temp).catch(() => undefined)));
    throw error;
  }
}
