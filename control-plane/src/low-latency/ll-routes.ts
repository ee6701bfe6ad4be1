// What the origin's nginx and the control plane share for LL-HLS, named once: nginx asks
// BLOCKING_PREFIX + the viewer's request URI (an auth_request subrequest) and acts on the status.

/** Where the origin's nginx sends the requests that must wait (prefix of the control plane route). */
export const BLOCKING_PREFIX = '/internal/ll';

/**
 * The statuses of that route, as auth_request understands them: 2xx lets the request through to
 * the file; 401 and 403 are the only refusals it passes on, which the origin's error pages turn
 * into 400 (too far ahead, or malformed) and 503 (timed out, or the stream stopped).
 */
export const LL_VERDICT = { serve: 204, refuse: 401, unavailable: 403 } as const;
