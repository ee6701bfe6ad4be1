// Who is calling. In common/ because every domain acts for a principal and the audit log names it;
// auth/ decides who a request's principal is.
export type Scope = 'admin' | 'read';
export const SCOPES: readonly Scope[] = ['admin', 'read'];

/** Who is calling: the bootstrap admin token, a stored API key, or the control plane itself. */
export interface Principal {
  kind: 'admin-token' | 'api-key' | 'system';
  keyId: string | null;
  name: string;
  scope: Scope;
}

/** The control plane acting on its own (registering its local nodes), as the audit log names it. */
export function systemPrincipal(name: string): Principal {
  return { kind: 'system', keyId: null, name, scope: 'admin' };
}
