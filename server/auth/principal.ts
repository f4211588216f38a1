// Who is calling, whatever proved it: an API token today, OIDC single sign-on later. Every
// permission check works on a Principal, so a new way to sign in adds an Authenticator, not checks.
import type { IncomingHttpHeaders } from 'node:http';

export const ROLES = ['admin', 'manager', 'unit', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  role: Role;
  /** A person or a system, as named when the credential was issued. */
  name: string;
  /** A manager's email binds them to the contracts that list it in `managers`; a unit's may name its signatory. */
  email?: string;
  /** A unit's name, as in a contract's `unit.name`. */
  unit?: string;
  /** Signed in through the web application (a session cookie), not an API token. */
  session?: true;
}

export interface Authenticator {
  /** The caller proved by these headers; undefined when they carry no credential this authenticator accepts. */
  authenticate(headers: IncomingHttpHeaders): Promise<Principal | undefined>;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
