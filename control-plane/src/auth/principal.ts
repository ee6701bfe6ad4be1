export type Scope = 'admin' | 'read';
export const SCOPES: readonly Scope[] = ['admin', 'read'];

/** Who is calling: the bootstrap admin token, a stored API key, or the control plane itself. */
export interface Principal {
  kind: 'admin-token' | 'api-key' | 'system';
  keyId: string | null;
  name: string;
  scope: Scope;
}

/** How a principal is named in the audit log. */
export function actorOf(principal: Principal): string {
  if (principal.kind === 'system') return `system:${principal.name}`;
  return principal.kind === 'admin-token' ? 'admin-token' : `api-key:${principal.name} (${principal.keyId})`;
}

/** The control plane acting on its own (registering its local nodes), as the audit log names it. */
export function systemPrincipal(name: string): Principal {
  return { kind: 'system', keyId: null, name, scope: 'admin' };
}
