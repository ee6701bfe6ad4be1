import { createHmac, randomBytes } from 'node:crypto';
import tokens, { type TokenVerdict } from '../../../../nginx/njs/token-check.js';

/**
 * Signed playback URLs, issued and checked with the token code origins and edges run
 * (nginx/njs/token-check.ts: the form, the signed message, the verdict), here with Node's HMAC.
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

export type { TokenVerdict };

/** The token's form, from the shared token code. */
export const TOKEN_PATTERN = tokens.TOKEN_PATTERN;

/** Node's HMAC behind the shared token code's adapter. */
const hmacBase64Url = (secret: string, message: string): string => createHmac('sha256', secret).update(message).digest('base64url');

export function newSigningKey(): SigningKey {
  return { id: randomBytes(6).toString('hex'), secret: randomBytes(32).toString('base64url') };
}

export function signatureOf(secret: string, claims: TokenClaims): string {
  return hmacBase64Url(secret, tokens.signingMessage(claims.streamKey, claims.expiresAt, claims.clientIp));
}

export function issueToken(key: SigningKey, claims: TokenClaims): string {
  return `${key.id}.${claims.expiresAt}.${claims.clientIp ? 'i' : 'a'}.${signatureOf(key.secret, claims)}`;
}

/** What an edge decides for a request for `streamKey` from `clientIp` at `nowSeconds`. */
export function verifyToken(token: string | undefined, keys: readonly SigningKey[], streamKey: string, clientIp: string, nowSeconds: number): TokenVerdict {
  const secretOf = (id: string): string | null => keys.find((k) => k.id === id)?.secret ?? null;
  return tokens.tokenVerdict(token ?? '', secretOf, streamKey, clientIp, nowSeconds, hmacBase64Url);
}
