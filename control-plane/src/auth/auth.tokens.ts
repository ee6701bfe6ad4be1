/** Injection token for the bootstrap admin bearer token. */
export const ADMIN_TOKEN = Symbol('ADMIN_TOKEN');
