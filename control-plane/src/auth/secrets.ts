import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** API key secrets look like `hls_<prefix>_<secret>`: recognisable in logs and secret scanners. */
const SECRET_PATTERN = /^hls_([a-z0-9]{12})_([A-Za-z0-9_-]{32})$/;

export interface NewSecret {
  prefix: string;
  secret: string;
  hash: string;
}

export function newApiKeySecret(): NewSecret {
  const prefix = randomBytes(9)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')
    .slice(0, 12);
  const secret = `hls_${prefix}_${randomBytes(24).toString('base64url')}`;
  return { prefix, secret, hash: sha256Hex(secret) };
}

/** The prefix of a presented token, or null when it cannot be one of our API keys. */
export function prefixOf(token: string): string | null {
  return SECRET_PATTERN.exec(token)?.[1] ?? null;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Compares through fixed-length digests so neither length nor content leaks through timing. */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
