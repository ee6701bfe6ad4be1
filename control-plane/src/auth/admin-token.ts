import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface AdminToken {
  token: string;
  /** Where a generated token is kept; null when it came from HLS_ADMIN_TOKEN. */
  file: string | null;
}

/**
 * HLS_ADMIN_TOKEN wins. Without it a token is generated once and kept in DATA_DIR, so that a
 * fresh `npm start` is never an open API and restarts keep the same token.
 */
export async function resolveAdminToken(configured: string | null, dataDir: string): Promise<AdminToken> {
  if (configured) return { token: configured, file: null };
  const file = path.join(dataDir, 'admin-token');
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored) return { token: stored, file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const token = randomBytes(24).toString('base64url');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return { token, file };
}
