// Attribute values in playlist tags (RFC 8216bis 4.2). A quoted-string cannot hold a double quote,
// CR or LF; some values come from users or node records (edge base URLs, node names, stream keys),
// so each passes through here and none can end a tag early or start a line of its own.

/** A value that cannot be written into a playlist as it stands. */
export class PlaylistValueError extends Error {}

/**
 * A URI for a quoted attribute (SERVER-URI) or a URI line: the characters that would break the
 * playlist are percent-encoded (RFC 3986 2.1), which leaves the URI's meaning as it was.
 */
export function playlistUri(uri: string): string {
  if (uri === '') throw new PlaylistValueError('a playlist URI cannot be empty');
  return uri.replace(/["\r\n\t ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * PATHWAY-ID (8216bis 4.4.6.2) and STABLE-VARIANT-ID (4.4.6.2) are limited to [a-zA-Z0-9], "-",
 * "." and "_": anything else is refused, not mangled, since the value must match elsewhere.
 */
export function idValue(value: string, attribute: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(value)) throw new PlaylistValueError(`${attribute} may hold only a-z, A-Z, 0-9, "-", "." and "_": ${JSON.stringify(value)}`);
  return value;
}

/** Any other quoted-string (CODECS): refused if it holds a double quote, CR or LF (4.2). */
export function quotedString(value: string, attribute: string): string {
  if (/["\r\n]/.test(value)) throw new PlaylistValueError(`${attribute} cannot hold a double quote or a line break: ${JSON.stringify(value)}`);
  return value;
}
