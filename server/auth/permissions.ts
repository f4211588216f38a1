// Who may call what: every route of the server as one row of data. A request that matches no row
// is refused (404, or 405 when only the method differs), so a route added without its row cannot
// be reached; test/integration/security-permissions.test.ts checks that every route has one.
import { match, type MatchFunction } from 'path-to-regexp';
import type { Role } from './principal.js';

export interface Permission {
  method: 'GET' | 'POST';
  /** The Express route pattern, exactly as the route registers it. */
  path: string;
  /** Who may call; 'public' needs no credential (an approval link is its own credential). */
  roles: readonly Role[] | 'public';
  /**
   * The contract the caller must be entitled to (managers: theirs; units: their own): the one
   * named by `:id`, or the one a document belongs to (its first path segment).
   */
  scope?: 'contract' | 'document';
  /** The body field naming the party that acts: a unit speaks for the unit, a manager for the principal. */
  party?: string;
  /** The body must be JSON (415 otherwise). */
  json?: true;
  /**
   * Query parameters allowed, as JSON Schema properties (none when absent); 'route' when the route
   * validates its own; 'ignored' for pages that read none (a link with tracking parameters still opens).
   */
  query?: Record<string, object> | 'route' | 'ignored';
  /** A web UI page: a browser without a session is sent to sign in and brought back. */
  ui?: true;
  /** A signed, expiring `?token=` (model/document-token.ts) stands in for a bearer token. */
  signedLink?: true;
  /** A form of the web application: a signed-in session may post it, with its CSRF field (./session-forms.ts). */
  form?: true;
}

const EVERYONE: readonly Role[] = ['admin', 'manager', 'unit', 'viewer'];
const PRINCIPAL_SIDE: readonly Role[] = ['admin', 'manager'];

export const PERMISSIONS: readonly Permission[] = [
  { method: 'GET', path: '/healthz', roles: 'public' },
  // The application's bundled script: public, like any page's script.
  { method: 'GET', path: '/assets/*path', roles: 'public', query: 'ignored' },
  { method: 'GET', path: '/api/v1/contracts', roles: EVERYONE, query: 'route' },
  { method: 'POST', path: '/api/v1/contracts', roles: ['admin'], json: true },
  { method: 'GET', path: '/api/v1/contracts/:id', roles: EVERYONE, scope: 'contract' },
  // The unit reports its own results; the performance office may enter a report it received on paper.
  {
    method: 'POST',
    path: '/api/v1/contracts/:id/reports',
    roles: ['admin', 'unit'],
    scope: 'contract',
    json: true,
  },
  {
    method: 'POST',
    path: '/api/v1/contracts/:id/reports/:period/draft',
    roles: ['admin', 'unit'],
    scope: 'contract',
    json: true,
  },
  {
    method: 'POST',
    path: '/api/v1/contracts/:id/reports/:period/submit',
    roles: ['admin', 'unit'],
    scope: 'contract',
    json: true,
  },
  // The unit keeps its action plan: progress, and the corrective actions escalations ask of it.
  ...['action-plan', 'corrective-actions/:action', 'corrective-actions/:action/close'].map(
    (route): Permission => ({
      method: 'POST',
      path: `/api/v1/contracts/:id/${route}`,
      roles: ['admin', 'unit'],
      scope: 'contract',
      json: true,
    }),
  ),
  // Evidence for a report: a file in the body, its type in Content-Type (server/routes/evidence.ts).
  {
    method: 'POST',
    path: '/api/v1/contracts/:id/evidence',
    roles: ['admin', 'unit'],
    scope: 'contract',
    query: { name: { type: 'string', pattern: '^[^\\u0000-\\u001f/\\\\]{1,200}$' } },
  },
  {
    method: 'POST',
    path: '/api/v1/contracts/:id/revisions',
    roles: ['admin', 'manager', 'unit'],
    scope: 'contract',
    party: 'proposedBy',
    json: true,
  },
  {
    method: 'GET',
    path: '/api/v1/contracts/:id/revisions',
    roles: EVERYONE,
    scope: 'contract',
    query: 'route',
  },
  { method: 'GET', path: '/api/v1/contracts/:id/years', roles: EVERYONE, scope: 'contract' },
  {
    method: 'GET',
    path: '/api/v1/contracts/:id/audit',
    roles: EVERYONE,
    scope: 'contract',
    query: {
      limit: { type: 'string', pattern: '^(500|[1-4][0-9]{2}|[1-9][0-9]?)$' },
      cursor: { type: 'string', pattern: '^[0-9]{1,12}$' },
    },
  },
  {
    method: 'POST',
    path: '/api/v1/contracts/:id/mid-year-revisions',
    roles: ['admin', 'manager', 'unit'],
    scope: 'contract',
    party: 'proposedBy',
    json: true,
  },
  // Moderating reported actuals and the principal's actions are the principal's side, never the unit's.
  {
    method: 'POST',
    path: '/api/v1/contracts/:id/moderations',
    roles: PRINCIPAL_SIDE,
    scope: 'contract',
    json: true,
  },
  {
    method: 'POST',
    path: '/api/v1/contracts/:id/terminate',
    roles: PRINCIPAL_SIDE,
    scope: 'contract',
    json: true,
  },
  {
    method: 'POST',
    path: '/api/v1/contracts/:id/suspend',
    roles: PRINCIPAL_SIDE,
    scope: 'contract',
    json: true,
  },
  {
    method: 'POST',
    path: '/api/v1/contracts/:id/resume',
    roles: PRINCIPAL_SIDE,
    scope: 'contract',
    json: true,
  },
  // A fresh link goes to the approver's own address, so either party may ask for one.
  {
    method: 'POST',
    path: '/api/v1/contracts/:id/approvals/:approvalId/resend',
    roles: ['admin', 'manager', 'unit'],
    scope: 'contract',
  },
  // Rule sets: the performance office writes them; everyone may read how they are judged. A
  // simulation reads every contract's figures, so only those who see every contract may run one.
  { method: 'GET', path: '/api/v1/rulesets', roles: EVERYONE },
  { method: 'POST', path: '/api/v1/rulesets', roles: ['admin'], json: true },
  { method: 'GET', path: '/api/v1/rulesets/:id', roles: EVERYONE },
  { method: 'GET', path: '/api/v1/rulesets/:id/versions/:version', roles: EVERYONE },
  { method: 'POST', path: '/api/v1/rulesets/:id/validate', roles: ['admin'] },
  { method: 'POST', path: '/api/v1/rulesets/:id/publish', roles: ['admin'] },
  { method: 'POST', path: '/api/v1/rulesets/:id/simulate', roles: ['admin', 'viewer'] },
  // League tables and portfolio reviews are published: everyone signed in may read them
  // (model/league.ts). Admins review a quarter again, trigger and pause the Schedule.
  {
    method: 'GET',
    path: '/api/v1/portfolio/league',
    roles: EVERYONE,
    query: {
      year: { type: 'string', pattern: '^[12][0-9]{3}$' },
      quarter: { type: 'string', pattern: '^Q[1-9][0-9]?$' },
      category: { type: 'string', minLength: 1, maxLength: 100 },
    },
  },
  { method: 'GET', path: '/api/v1/portfolio/reviews', roles: EVERYONE },
  {
    method: 'GET',
    path: '/api/v1/portfolio/reviews/:quarter',
    roles: EVERYONE,
    query: { version: { type: 'string', pattern: '^[1-9][0-9]{0,5}$' } },
  },
  { method: 'POST', path: '/api/v1/portfolio/reviews', roles: ['admin'], json: true },
  { method: 'GET', path: '/api/v1/portfolio/schedule', roles: ['admin'] },
  { method: 'POST', path: '/api/v1/portfolio/schedule/trigger', roles: ['admin'] },
  { method: 'POST', path: '/api/v1/portfolio/schedule/pause', roles: ['admin'] },
  { method: 'POST', path: '/api/v1/portfolio/schedule/unpause', roles: ['admin'] },
  // Caught mail holds approval links, which are credentials.
  { method: 'GET', path: '/api/v1/outbox', roles: ['admin'], query: 'route' },
  { method: 'GET', path: '/approvals/:token', roles: 'public', query: 'ignored' },
  { method: 'POST', path: '/approvals/:token', roles: 'public', query: 'ignored' },
  { method: 'POST', path: '/approvals/:token/delegate', roles: 'public', query: 'ignored' },
  // Portfolio documents are published to everyone signed in; '_' starts no contract id.
  {
    method: 'GET',
    path: '/documents/_portfolio/*path',
    roles: EVERYONE,
    ui: true,
    signedLink: true,
    query: { token: { type: 'string', maxLength: 200 } },
  },
  {
    method: 'GET',
    path: '/documents/*path',
    roles: EVERYONE,
    scope: 'document',
    ui: true,
    signedLink: true,
    query: { token: { type: 'string', maxLength: 200 } },
  },
  // The list page reads its filters itself (server/contract-filters.ts) and ignores other parameters.
  // Signing in: anyone may ask for a link (the answer never says who may sign in); the link is
  // its own credential, used once from its page's button.
  { method: 'GET', path: '/sign-in', roles: 'public', query: { next: { type: 'string', maxLength: 2000 } } },
  { method: 'POST', path: '/sign-in', roles: 'public' },
  // Single sign-on (when OIDC_* is set): off to the provider, and back with its answer.
  {
    method: 'GET',
    path: '/sign-in/oidc',
    roles: 'public',
    query: { next: { type: 'string', maxLength: 2000 } },
  },
  { method: 'GET', path: '/sign-in/oidc/callback', roles: 'public', query: 'route' },
  { method: 'GET', path: '/sign-in/:token', roles: 'public', query: 'ignored' },
  { method: 'POST', path: '/sign-in/:token', roles: 'public', query: 'ignored' },
  { method: 'POST', path: '/sign-out', roles: 'public' },
  { method: 'GET', path: '/', roles: EVERYONE, ui: true, query: 'route' },
  // The portfolio dashboard: league tables are published to everyone signed in; the late list is
  // narrowed to the contracts the visitor may see.
  { method: 'GET', path: '/portfolio', roles: EVERYONE, ui: true, query: 'route' },
  // The rule sets in words: everyone may read how they are judged.
  { method: 'GET', path: '/rulesets', roles: EVERYONE, ui: true, query: 'ignored' },
  {
    method: 'GET',
    path: '/rulesets/:id',
    roles: EVERYONE,
    ui: true,
    query: {
      version: { type: 'string', pattern: '^[1-9][0-9]{0,5}$' },
      draft: { enum: ['1'] },
      done: { enum: ['saved', 'published', 'requested'] },
    },
  },
  // The rule studio (server/routes/studio.ts): the performance office edits and publishes.
  { method: 'POST', path: '/rulesets/new', roles: ['admin'], form: true },
  { method: 'GET', path: '/rulesets/:id/grades', roles: ['admin'], ui: true, query: 'ignored' },
  { method: 'POST', path: '/rulesets/:id/grades', roles: ['admin'], form: true },
  { method: 'POST', path: '/rulesets/:id/publish', roles: ['admin'], form: true },
  { method: 'GET', path: '/rulesets/:id/escalations', roles: ['admin'], ui: true, query: 'ignored' },
  { method: 'GET', path: '/rulesets/:id/settings', roles: ['admin'], ui: true, query: 'ignored' },
  { method: 'GET', path: '/rulesets/:id/guards', roles: ['admin'], ui: true, query: 'ignored' },
  { method: 'POST', path: '/rulesets/:id/guards', roles: ['admin'], form: true },
  {
    method: 'GET',
    path: '/rulesets/:id/scoring',
    roles: ['admin'],
    ui: true,
    query: { start: { enum: ['1'] }, saved: { enum: ['1'] } },
  },
  { method: 'POST', path: '/rulesets/:id/scoring', roles: ['admin'], form: true },
  {
    method: 'GET',
    path: '/rulesets/:id/raw',
    roles: ['admin'],
    ui: true,
    query: { slot: { type: 'string', maxLength: 200 }, saved: { enum: ['1'] } },
  },
  { method: 'POST', path: '/rulesets/:id/raw', roles: ['admin'], form: true },
  { method: 'POST', path: '/rulesets/:id/raw/check', roles: ['admin'], form: true },
  { method: 'POST', path: '/rulesets/:id/settings', roles: ['admin'], form: true },
  {
    method: 'GET',
    path: '/rulesets/:id/try',
    roles: ['admin'],
    ui: true,
    query: {
      contract: { type: 'string', maxLength: 100 },
      period: { type: 'string', pattern: '^Q[1-9][0-9]?$' },
      saved: { enum: ['1'] },
    },
  },
  { method: 'POST', path: '/rulesets/:id/tests', roles: ['admin'], form: true },
  // As the simulate API: it reads every contract's figures.
  {
    method: 'GET',
    path: '/rulesets/:id/what-if',
    roles: ['admin', 'viewer'],
    ui: true,
    query: { of: { enum: ['periods', 'year'] } },
  },
  { method: 'POST', path: '/rulesets/:id/escalations', roles: ['admin'], form: true },
  // People and their roles: the performance office manages them.
  { method: 'GET', path: '/people', roles: ['admin'], ui: true, query: 'ignored' },
  { method: 'POST', path: '/people', roles: ['admin'], form: true },
  { method: 'POST', path: '/people/:email/disable', roles: ['admin'], form: true },
  // The office's contract form, its live vetting, and a copy of last year's contract (?from=).
  {
    method: 'GET',
    path: '/contracts/new',
    roles: ['admin'],
    ui: true,
    query: { from: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$' } },
  },
  { method: 'POST', path: '/contracts/new', roles: ['admin'], form: true },
  { method: 'POST', path: '/contracts/new/check', roles: ['admin'], form: true },
  { method: 'GET', path: '/contracts/:id', roles: EVERYONE, scope: 'contract', ui: true, query: 'ignored' },
  // The unit's report form; the performance office may enter a report received on paper.
  {
    method: 'GET',
    path: '/contracts/:id/reports/:period',
    roles: ['admin', 'unit'],
    scope: 'contract',
    ui: true,
    query: 'ignored',
  },
  {
    method: 'POST',
    path: '/contracts/:id/reports/:period',
    roles: ['admin', 'unit'],
    scope: 'contract',
    form: true,
  },
  // The principal's side in the browser (server/routes/manager-forms.ts): moderation, requests to
  // suspend, resume or terminate, fresh links and hand-overs, mid-year revisions.
  ...[
    '/contracts/:id/moderate/:period',
    '/contracts/:id/request/suspend',
    '/contracts/:id/request/resume',
    '/contracts/:id/request/terminate',
    '/contracts/:id/approvals/:approvalId/hand-over',
    '/contracts/:id/revise',
  ].flatMap((path): Permission[] => [
    { method: 'GET', path, roles: PRINCIPAL_SIDE, scope: 'contract', ui: true, query: 'ignored' },
    { method: 'POST', path, roles: PRINCIPAL_SIDE, scope: 'contract', form: true },
  ]),
  {
    method: 'POST',
    path: '/contracts/:id/approvals/:approvalId/resend',
    roles: PRINCIPAL_SIDE,
    scope: 'contract',
    form: true,
  },
  // The contract's record, for everyone who may see the contract.
  {
    method: 'GET',
    path: '/contracts/:id/record',
    roles: EVERYONE,
    scope: 'contract',
    ui: true,
    query: { cursor: { type: 'string', pattern: '^[0-9]{1,12}$' } },
  },
  // The unit's corrective actions: added to its plan, then closed (server/routes/corrective-forms.ts).
  {
    method: 'GET',
    path: '/contracts/:id/corrective-actions/:action',
    roles: EVERYONE,
    scope: 'contract',
    ui: true,
    query: 'ignored',
  },
  {
    method: 'POST',
    path: '/contracts/:id/corrective-actions/:action',
    roles: ['admin', 'unit'],
    scope: 'contract',
    form: true,
  },
  { method: 'GET', path: '/outbox', roles: ['admin'], ui: true, query: 'ignored' },
  { method: 'GET', path: '/outbox/:id', roles: ['admin'], ui: true, query: 'ignored' },
];

export type Params = Partial<Record<string, string | string[]>>;

export type RouteMatch =
  | { kind: 'found'; permission: Permission; params: Params }
  | { kind: 'wrong-method'; allow: string[] }
  | { kind: 'none' };

/**
 * The row for a request. Matching uses Express's own path syntax and options (case-insensitive,
 * optional trailing slash, decoded parameters), so a row and its route agree on every path.
 */
export function matchPermission(
  method: string,
  path: string,
  permissions: readonly Permission[] = PERMISSIONS,
): RouteMatch {
  const wanted = method === 'HEAD' ? 'GET' : method;
  const allow = new Set<string>();
  for (const permission of permissions) {
    const found = matcherOf(permission)(path);
    if (!found) continue;
    if (permission.method === wanted) return { kind: 'found', permission, params: found.params };
    allow.add(permission.method);
    if (permission.method === 'GET') allow.add('HEAD');
  }
  return allow.size > 0 ? { kind: 'wrong-method', allow: [...allow].sort() } : { kind: 'none' };
}

const matchers = new WeakMap<Permission, MatchFunction<Params>>();

function matcherOf(permission: Permission): MatchFunction<Params> {
  let matcher = matchers.get(permission);
  if (!matcher) {
    matcher = match<Params>(permission.path, {
      decode: decodeURIComponent,
      sensitive: false,
      trailing: true,
    });
    matchers.set(permission, matcher);
  }
  return matcher;
}
