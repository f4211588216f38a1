// A real Covenant stack for one test file: its own HTTP server, SMTP catcher, worker and task queue,
// on the run's shared Temporal dev server.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { loadConfig } from '../../cli/config.js';
import { startStack, type Role, type Stack } from '../../cli/stack.js';
import { installRuntime } from '../../cli/temporal-connection.js';
import { issueToken, type TokenRequest } from '../../server/auth/api-tokens.js';
import type { CaughtMessage } from '../../store/mail.js';
import { ensureDatabase } from '../../cli/database.js';

let runtimeInstalled = false;
/** Each test stack's admin token, which `api()` sends unless told otherwise. */
const adminTokens = new WeakMap<Stack, string>();

export interface TestStackOptions {
  dataDir?: string;
  env?: Record<string, string>;
  /** Start the stack's own embedded Temporal dev server instead of the shared one. */
  embeddedTemporal?: boolean;
  /** The stack's own database on the run's PostgreSQL (a restart test names it again); fresh otherwise. */
  database?: string;
  /** One role (a worker, an API server) instead of everything. */
  role?: Role;
  /** Use the link key kept under the data folder, as `npm start` does, instead of a fresh one. */
  persistedSecret?: boolean;
}

/** Temporal's runtime with warnings only; call before any Temporal connection in a test file. */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  installRuntime();
  runtimeInstalled = true;
}

export async function startTestStack(options: TestStackOptions = {}): Promise<Stack> {
  installQuietRuntime();
  const config = loadConfig({
    PORT: '0',
    SMTP_CATCHER_PORT: '0',
    COVENANT_DATA_DIR: options.dataDir ?? mkdtempSync(join(tmpdir(), 'covenant-stack-')),
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    // Every test talks from 127.0.0.1 and polls: limits for people would throttle the suite.
    COVENANT_APPROVAL_RATE_LIMIT: '100000',
    COVENANT_API_RATE_LIMIT: '100000',
    ...(options.persistedSecret ? {} : { COVENANT_LINK_SECRET: randomBytes(32).toString('base64url') }),
    ...(options.embeddedTemporal ? {} : { TEMPORAL_ADDRESS: inject('temporalAddress') }),
    DATABASE_URL: await testDatabase(options.database),
    ...options.env,
  });
  const stack = await startStack(config, {
    workflowBundlePath: inject('workflowBundlePath'),
    ...(options.role ? { role: options.role } : {}),
  });
  adminTokens.set(stack, await issueTestToken(stack, { role: 'admin', name: `test-admin-${randomUUID()}` }));
  return stack;
}

/** A database of its own for a test stack, on the run's PostgreSQL. */
export async function testDatabase(name = `covenant_${randomUUID().replaceAll('-', '')}`): Promise<string> {
  return ensureDatabase(inject('postgresAdminUrl'), name);
}

/** Issues an API token on a test stack, as `covenant tokens create` does, and returns it. */
export async function issueTestToken(stack: Stack, request: TokenRequest): Promise<string> {
  return (await issueToken(stack.tokens, request)).token;
}

export function adminToken(stack: Stack): string {
  const token = adminTokens.get(stack);
  if (!token) throw new Error('Not a stack from startTestStack');
  return token;
}

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

export interface ApiOptions {
  /** The bearer token to send: the stack's admin token unless given; null sends none. */
  token?: string | null;
  headers?: Record<string, string>;
}

/** A stored document (a path or the full link a contract's state gives), fetched as an admin. */
export function fetchDocument(stack: Stack, url: string): Promise<Response> {
  return fetch(url.startsWith('/') ? stack.urls.app + url : url, {
    headers: { authorization: `Bearer ${adminToken(stack)}` },
  });
}

export async function api<T = unknown>(
  stack: Stack,
  method: string,
  path: string,
  body?: unknown,
  options: ApiOptions = {},
): Promise<ApiResponse<T>> {
  const token = options.token === undefined ? adminToken(stack) : options.token;
  const response = await fetch(`${stack.urls.app}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...options.headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T,
  };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export function messages(stack: Stack): Promise<CaughtMessage[]> {
  return stack.outbox!.list();
}

/** Waits for a caught email matching `match` and returns it. */
export function waitForEmail(
  stack: Stack,
  match: (m: CaughtMessage) => boolean,
  what: string,
): Promise<CaughtMessage> {
  return waitFor(async () => (await messages(stack)).find(match), `email: ${what}`);
}

/** The approval link in an email's plain-text part. */
export function approvalLink(message: CaughtMessage): string {
  const link = /https?:\/\/\S+\/approvals\/[A-Za-z0-9_.-]+/.exec(message.text)?.[0];
  if (!link) throw new Error(`No approval link in "${message.subject}"`);
  return link;
}

export interface ApprovalPage {
  status: number;
  html: string;
  /** The `name=value` of the CSRF cookie the page set, if it showed the form. */
  cookie?: string;
  /** The form's hidden CSRF field. */
  csrf?: string;
}

/** Opens an approval link as a browser does, keeping the CSRF cookie and field of its form. */
export async function openApprovalPage(link: string): Promise<ApprovalPage> {
  const response = await fetch(link);
  const html = await response.text();
  const cookie = response.headers.getSetCookie()[0]?.split(';')[0];
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  return { status: response.status, html, ...(cookie ? { cookie } : {}), ...(csrf ? { csrf } : {}) };
}

/** Posts a form to an approval link with the given cookie and fields, as the page's buttons do. */
export async function postApproval(
  link: string,
  fields: Record<string, string>,
  cookie?: string,
): Promise<{ status: number; html: string }> {
  const response = await fetch(link, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(cookie ? { cookie } : {}),
    },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: response.status, html: await response.text() };
}

/** Decides as a person does: opens the page, then presses a button on it. */
export async function decide(
  link: string,
  decision: 'approve' | 'reject',
  comment = '',
): Promise<{ status: number; html: string }> {
  const page = await openApprovalPage(link);
  return postApproval(link, { decision, comment, ...(page.csrf ? { csrf: page.csrf } : {}) }, page.cookie);
}
