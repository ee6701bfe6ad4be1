import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signed playback URLs. A token is `<keyId>.<expiry>.<binding>.<signature>`:
 * - keyId names the HMAC key (edges hold the current and the previous key, so rotation does not
 *   break tokens already handed out);
 * - expiry is in Unix seconds;
 * - binding is `a` (any client) or `i` (the client IP that was given when the token was issued);
 * - signature is base64url(HMAC-SHA256(secret, "<stream key>\n<expiry>\n<client ip or empty>")).
 * The same computation runs in njs (nginx/njs/signed-urls.js); the tests check that both agree.
 */
export interface TokenClaims {
  streamKey: string;
  expiresAt: number;
  clientIp: string | null;
}

export interface SigningKey {
  id: string;
  secret: string;
}

export type TokenVerdict = 'ok' | 'missing' | 'malformed' | 'unknown-key' | 'expired' | 'bad-signature';

/** The token's form; njs checks the same one (rules.js, generated from this). */
export const TOKEN_PATTERN = /^([a-z0-9]{1,16})\.(\d{1,12})\.([ai])\.([A-Za-z0-9_-]{43})$/;

export function newSigningKey(): SigningKey {
  return { id: randomBytes(6).toString('hex'), secret: randomBytes(32).toString('base64url') };
}

export function signatureOf(secret: string, claims: TokenClaims): string {
  return createHmac('sha256', secret)
    .update(`${claims.streamKey}\n${claims.expiresAt}\n${claims.clientIp ?? ''}`)
    .digest('base64url');
}

export function issueToken(key: SigningKey, claims: TokenClaims): string {
  return `${key.id}.${claims.expiresAt}.${claims.clientIp ? 'i' : 'a'}.${signatureOf(key.secret, claims)}`;
}

/** What an edge decides for a request for `streamKey` from `clientIp` at `nowSeconds`. */
export function verifyToken(token: string | undefined, keys: readonly SigningKey[], streamKey: string, clientIp: string, nowSeconds: number): TokenVerdict {
  if (!token) return 'missing';
  const parts = TOKEN_PATTERN.exec(token);
  if (!parts) return 'malformed';
  const key = keys.find((k) => k.id === parts[1]);
  if (!key) return 'unknown-key';
  const expiresAt = Number(parts[2]);
  if (expiresAt <= nowSeconds) return 'expired';
  const expected = Buffer.from(signatureOf(key.secret, { streamKey, expiresAt, clientIp: parts[3] === 'i' ? clientIp : null }));
  return timingSafeEqual(expected, Buffer.from(parts[4])) ? 'ok' : 'bad-signature';
}
