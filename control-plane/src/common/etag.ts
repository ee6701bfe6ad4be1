import { ApiError, ErrorCode } from './api-error.js';

/** Strong ETag of a versioned resource: the row version, quoted. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * Checks an `If-Match` header against the current version (RFC 9110 13.1.1): absent means
 * "no precondition", `*` matches anything that exists, otherwise one of the listed tags must match
 * by strong comparison, so a weak tag (`W/"3"`) never matches.
 */
export function assertIfMatch(ifMatch: string | undefined, currentVersion: number): void {
  if (ifMatch === undefined || ifMatch.trim() === '') return;
  const tags = ifMatch.split(',').map((t) => t.trim());
  if (tags.includes('*') || tags.includes(etagOf(currentVersion))) return;
  throw new ApiError(
    ErrorCode.PreconditionFailed,
    `If-Match ${ifMatch} does not match the current version ${etagOf(currentVersion)}; fetch the resource again`,
  );
}
