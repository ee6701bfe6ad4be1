// The playback token, written once for the control plane (Node) and the edges and origins (njs):
// its form, the message that is signed, and the verdict on a presented token. HMAC comes in
// through a small adapter (Node's crypto or njs's), so this file imports nothing and compiles for
// both runtimes; it keeps to what njs 0.7.9 runs once compiled to ES5, whose modules have only a
// default export.
//
// A token is `<keyId>.<expiry>.<binding>.<signature>`: keyId names the HMAC key (edges hold the
// current and the previous key, so rotation does not break tokens handed out), expiry is in Unix
// seconds, binding is `a` (any client) or `i` (the client IP given when it was issued), and the
// signature is base64url(HMAC-SHA256(secret, "<stream key>\n<expiry>\n<client ip or empty>")).

const TOKEN_PATTERN = /^([a-z0-9]{1,16})\.(\d{1,12})\.([ai])\.([A-Za-z0-9_-]{43})$/;

export type TokenVerdict = 'ok' | 'missing' | 'malformed' | 'unknown-key' | 'expired' | 'bad-signature';

/** base64url(HMAC-SHA256(secret, message)). */
export type HmacBase64Url = (secret: string, message: string) => string;

function signingMessage(streamKey: string, expiresAt: number | string, clientIp: string | null): string {
  return streamKey + '\n' + expiresAt + '\n' + (clientIp === null ? '' : clientIp);
}

/** Same length and every character equal, without stopping at the first difference. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** What an origin or edge decides for a request for `streamKey` from `clientIp` at `nowSeconds`. */
function tokenVerdict(
  token: string,
  secretOf: (keyId: string) => string | null,
  streamKey: string,
  clientIp: string,
  nowSeconds: number,
  hmac: HmacBase64Url,
): TokenVerdict {
  if (!token) return 'missing';
  const parts = TOKEN_PATTERN.exec(token);
  if (!parts) return 'malformed';
  const secret = secretOf(parts[1]);
  if (!secret) return 'unknown-key';
  if (Number(parts[2]) <= nowSeconds) return 'expired';
  const expected = hmac(secret, signingMessage(streamKey, parts[2], parts[3] === 'i' ? clientIp : null));
  return sameText(expected, parts[4]) ? 'ok' : 'bad-signature';
}

export default { TOKEN_PATTERN, signingMessage, sameText, tokenVerdict };
