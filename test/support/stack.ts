// A real Covenant stack for one test file: its own HTTP server, SMTP catcher, worker and task queue,
// on the run's shared Temporal dev server.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { inject } from 'vitest';
import { loadConfig } from '../../cli/config.js';
import { startStack, type Stack } from '../../cli/stack.js';
import type { CaughtMessage } from '../../server/outbox-store.js';

let runtimeInstalled = false;

export interface TestStackOptions {
  dataDir?: string;
  env?: Record<string, string>;
  /** Start the stack's own embedded Temporal dev server instead of the shared one. */
  embeddedTemporal?: boolean;
  /** Use the link key kept under the data folder, as `npm start` does, instead of a fresh one. */
  persistedSecret?: boolean;
}

/** Temporal's runtime with warnings only; call before any Temporal connection in a test file. */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  runtimeInstalled = true;
}

export async function startTestStack(options: TestStackOptions = {}): Promise<Stack> {
  installQuietRuntime();
  const config = loadConfig({
    PORT: '0',
    SMTP_CATCHER_PORT: '0',
    COVENANT_DATA_DIR: options.dataDir ?? mkdtempSync(join(tmpdir(), 'covenant-stack-')),
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    ...(options.persistedSecret ? {} : { COVENANT_LINK_SECRET: randomBytes(32).toString('base64url') }),
    ...(options.embeddedTemporal ? {} : { TEMPORAL_ADDRESS: inject('temporalAddress') }),
    ...options.env,
  });
  return startStack(config, { workflowBundlePath: inject('workflowBundlePath') });
}

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

export async function api<T = unknown>(
  stack: Stack,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResponse<T>> {
  const response = await fetch(`${stack.urls.app}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
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

export function messages(stack: Stack): CaughtMessage[] {
  return stack.outbox!.list();
}

/** Waits for a caught email matching `match` and returns it. */
export function waitForEmail(
  stack: Stack,
  match: (m: CaughtMessage) => boolean,
  what: string,
): Promise<CaughtMessage> {
  return waitFor(() => messages(stack).find(match), `email: ${what}`);
}

/** The approval link in an email's plain-text part. */
export function approvalLink(message: CaughtMessage): string {
  const link = /https?:\/\/\S+\/approvals\/[A-Za-z0-9_.-]+/.exec(message.text)?.[0];
  if (!link) throw new Error(`No approval link in "${message.subject}"`);
  return link;
}

export async function decide(
  link: string,
  decision: 'approve' | 'reject',
  comment = '',
): Promise<{ status: number; html: string }> {
  const response = await fetch(link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ decision, comment }).toString(),
  });
  return { status: response.status, html: await response.text() };
}
