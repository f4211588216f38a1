// Bearer API tokens: 256 random bits, shown once when issued, kept only as a SHA-256 hash.
// A hash suffices (no slow KDF): the token is random, not a password a person chose.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { CovenantError, type Issue } from '../../model/errors.js';
import { validator } from '../../model/validation.js';
import type { Authenticator, Principal, Role } from './principal.js';
import { ROLES } from './principal.js';
import type { StoredToken, TokenStore } from '../../store/tokens.js';

export interface TokenRequest {
  role: Role;
  name: string;
  email?: string;
  unit?: string;
}

export interface IssuedToken {
  /** The bearer token itself: shown once, stored nowhere. */
  token: string;
  record: StoredToken;
}

const checkRequest = validator<TokenRequest>({
  type: 'object',
  additionalProperties: false,
  required: ['role', 'name'],
  properties: {
    role: { enum: [...ROLES] },
    name: { type: 'string', pattern: '^\\S(.{0,98}\\S)?$' },
    email: { type: 'string', format: 'email', maxLength: 254 },
    unit: { type: 'string', minLength: 1, maxLength: 300 },
  },
});

/** Creates a token for a role, bound to what its scope needs, and stores its hash. */
export async function issueToken(
  store: TokenStore,
  request: TokenRequest,
  now = new Date(),
): Promise<IssuedToken> {
  const { role, name, email, unit } = checkRequest(request);
  const issues = scopeIssues(role, email, unit);
  if (issues.length > 0) throw new CovenantError('invalid', issues);
  const token = `cov_${randomBytes(32).toString('base64url')}`;
  const record: StoredToken = {
    id: `tok_${randomBytes(4).toString('hex')}`,
    name,
    role,
    ...(email ? { email } : {}),
    ...(unit ? { unit } : {}),
    hash: hashToken(token),
    createdAt: now.toISOString(),
  };
  await store.add(record, (current) => {
    if (current.some((t) => !t.revokedAt && t.name === name)) {
      throw new CovenantError('conflict', [
        {
          pointer: '/name',
          message: `A token named '${name}' exists already; revoke it or choose another name`,
        },
      ]);
    }
  });
  return { token, record };
}

/** The admin token `npm start` prints on first start: only while no token was ever issued. */
export async function issueFirstAdminToken(store: TokenStore): Promise<IssuedToken | undefined> {
  if ((await store.list()).length > 0) return undefined;
  return issueToken(store, { role: 'admin', name: 'first-admin' });
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Resolves `Authorization: Bearer <token>` against the token store. */
export class ApiTokenAuthenticator implements Authenticator {
  constructor(private readonly store: TokenStore) {}

  async authenticate(headers: IncomingHttpHeaders): Promise<Principal | undefined> {
    const token = bearerToken(headers);
    if (!token) return undefined;
    const record = await this.store.findActive(hashToken(token));
    if (!record) return undefined;
    return {
      role: record.role,
      name: record.name,
      ...(record.email ? { email: record.email } : {}),
      ...(record.unit ? { unit: record.unit } : {}),
    };
  }
}

/** The credential of an `Authorization: Bearer` header, whatever issued it. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(headers.authorization ?? '');
  return match?.[1];
}

/** A manager is known by email; a unit by its name or its signatory's email; others need neither. */
function scopeIssues(role: Role, email: string | undefined, unit: string | undefined): Issue[] {
  if (role === 'manager' && !email)
    return [
      { pointer: '/email', message: "is required for a manager: the email in the contracts' managers" },
    ];
  if (role === 'unit' && !email && !unit)
    return [{ pointer: '/unit', message: "a unit token needs the unit's name or its signatory's email" }];
  if (role !== 'unit' && unit) return [{ pointer: '/unit', message: 'applies to unit tokens only' }];
  return [];
}
