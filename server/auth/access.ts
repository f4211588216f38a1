// The gate in front of every route, before any body is read: find the request's row in the
// permission table, resolve the caller, check the role, the query and the media type.
// Which contract the caller may touch is checked after the body is parsed (./scope.ts).
import type { Request, RequestHandler, Response } from 'express';
import { verifyDocumentToken, type DocumentTokenCheck } from '../../model/document-token.js';
import { CovenantError } from '../../model/errors.js';
import { validator } from '../../model/validation.js';
import { matchPermission, type Params, type Permission } from './permissions.js';
import type { Authenticator, Principal } from './principal.js';

export interface AccessOptions {
  authenticator: Authenticator;
  /** Signed-in people (a session cookie): admitted on reads (GET, HEAD); changes need forms or tokens. */
  sessions?: Authenticator;
  /** Signs document links (the approval-link key). */
  linkSecret: string;
  permissions?: readonly Permission[];
}

export interface Grant {
  permission: Permission;
  params: Params;
  /** Absent when no credential was needed: a public route or a signed document link. */
  principal?: Principal;
}

const grants = new WeakMap<Request, Grant>();

/** A page asked for without a credential by a browser: it signs in first. */
class SignInRequired extends Error {
  constructor(readonly next: string) {
    super('Sign in first');
  }
}

/** What the gate granted this request. */
export function grantOf(req: Request): Grant | undefined {
  return grants.get(req);
}

export function principalOf(req: Request): Principal | undefined {
  return grants.get(req)?.principal;
}

/** The caller as the contract's record names them, e.g. "County PMO (manager, pmo@county.example)". */
export function actorOf(req: Request): string | undefined {
  const principal = principalOf(req);
  if (!principal) return undefined;
  return `${principal.name} (${principal.role}${principal.email ? `, ${principal.email}` : ''})`;
}

/** `{ actor }` for a change's record: who made the call, when anyone is known. */
export function attribution(req: Request): { actor?: string } {
  const actor = actorOf(req);
  return actor ? { actor } : {};
}

export function authorize(options: AccessOptions): RequestHandler {
  const { authenticator, sessions, linkSecret } = options;

  /** Who calls, when the row needs to know; refuses (401, 403) a caller the row does not admit. */
  async function caller(req: Request, res: Response, permission: Permission): Promise<Principal | undefined> {
    if (permission.roles === 'public') return undefined;
    let link: DocumentTokenCheck | undefined;
    if (permission.signedLink && typeof req.query.token === 'string') {
      link = verifyDocumentToken(req.path, req.query.token, linkSecret, Date.now());
      if (link === 'ok') return undefined;
    }
    const reads = req.method === 'GET' || req.method === 'HEAD';
    // A session reads; it posts only the application's forms, whose CSRF field is checked once
    // the body is parsed (./session-forms.ts).
    const principal =
      (await authenticator.authenticate(req.headers)) ??
      ((reads || permission.form) && sessions ? await sessions.authenticate(req.headers) : undefined);
    if (!principal) {
      // A person opening a page is sent to sign in, and brought back afterwards.
      if (permission.ui && reads && !req.headers.authorization && req.accepts(['json', 'html']) === 'html') {
        throw new SignInRequired(req.originalUrl);
      }
      const presented = req.headers.authorization !== undefined;
      res.set('WWW-Authenticate', `Bearer realm="covenant"${presented ? ', error="invalid_token"' : ''}`);
      throw new CovenantError('unauthorized', [
        link === 'expired'
          ? {
              pointer: '/token',
              message: 'This document link has expired; open the document from Covenant again.',
            }
          : link
            ? { pointer: '/token', message: 'This document link is not valid.' }
            : presented
              ? { pointer: '', message: 'The API token is unknown or revoked.' }
              : { pointer: '', message: 'An API token is required: Authorization: Bearer <token>.' },
      ]);
    }
    if (!permission.roles.includes(principal.role)) {
      throw new CovenantError('forbidden', [
        { pointer: '', message: `A ${principal.role} token may not ${req.method} ${permission.path}.` },
      ]);
    }
    return principal;
  }

  return async (req, res, next) => {
    const { permission, params } = matchRoute(req, res, options.permissions);
    const grant: Grant = { permission, params };
    grants.set(req, grant);
    let principal: Principal | undefined;
    try {
      principal = await caller(req, res, permission);
    } catch (err) {
      if (!(err instanceof SignInRequired)) throw err;
      res.redirect(303, `/sign-in?next=${encodeURIComponent(err.next)}`);
      return;
    }
    if (principal) {
      grant.principal = principal;
      // Pages say who is signed in (server/pages.ts).
      res.locals.principal = principal;
      // Authenticated answers are personal: no shared cache may keep them.
      res.set('Cache-Control', 'no-store');
    }
    // Only once the caller is admitted: a stranger gets 401, not a lesson in the route's parameters.
    checkQuery(permission, req.query);
    if (permission.json && !req.is('application/json')) {
      throw new CovenantError('unsupported-media-type', [
        { pointer: '', message: 'Send the body as application/json.' },
      ]);
    }
    next();
  };
}

function matchRoute(
  req: Request,
  res: Response,
  permissions?: readonly Permission[],
): { permission: Permission; params: Params } {
  checkSegments(req.path);
  let found;
  try {
    found = matchPermission(req.method, req.path, permissions);
  } catch (err) {
    if (!(err instanceof URIError)) throw err;
    throw new CovenantError('invalid', [{ pointer: '', message: 'The path is not validly encoded.' }]);
  }
  if (found.kind === 'found') return found;
  if (found.kind === 'wrong-method') {
    // The error handler keeps headers already set.
    res.set('Allow', found.allow.join(', '));
    throw new CovenantError('method-not-allowed', [
      { pointer: '', message: `${req.method} is not allowed here; use ${found.allow.join(' or ')}.` },
    ]);
  }
  throw new CovenantError('not-found', [
    { pointer: '', message: req.path.startsWith('/api/') ? 'No such API route' : 'No such page' },
  ]);
}

/**
 * A path is checked as it will be used: a segment that is '.' or '..' once percent-decoded, or that
 * hides a separator ('/', '\\', NUL) behind an encoding, is refused before any route sees it. A
 * scope check on the first segment and a file server that resolves dot segments would otherwise
 * disagree about which contract a path names.
 */
function checkSegments(path: string): void {
  for (const raw of path.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      throw new CovenantError('invalid', [{ pointer: '', message: 'The path is not validly encoded.' }]);
    }
    if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) {
      throw new CovenantError('invalid', [
        { pointer: '', message: "The path may not contain '.' or '..' segments or encoded separators." },
      ]);
    }
  }
}

const queryCheckers = new WeakMap<Permission, (query: unknown) => unknown>();

/** Unknown query parameters are refused like unknown body fields, unless the route reads its own. */
function checkQuery(permission: Permission, query: unknown): void {
  if (permission.query === 'route' || permission.query === 'ignored') return;
  let check = queryCheckers.get(permission);
  if (!check) {
    check = validator({ type: 'object', additionalProperties: false, properties: permission.query ?? {} });
    queryCheckers.set(permission, check);
  }
  check({ ...(query as object) });
}
