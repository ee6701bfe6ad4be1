export type Scope = 'admin' | 'read';
export const SCOPES: readonly Scope[] = ['admin', 'read'];

/** Who is calling: the bootstrap admin token, or a stored API key. */
export interface Principal {
  kind: 'admin-token' | 'api-key';
  keyId: string | null;
  name: string;
  scope: Scope;
}

/** How a principal is named in the audit log. */
export function actorOf(principal: Principal): string {
  return principal.kind === 'admin-token' ? 'admin-token' : `api-key:${principal.name} (${principal.keyId})`;
}
