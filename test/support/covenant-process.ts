// Covenant as `npm start` runs it: `node --import tsx cli/start.ts` in a process group of its own,
// as a terminal's foreground job is, so that tests can send it Ctrl-C (SIGINT to the group), kill
// it, and start it again on the same data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../cli/temporal-binaries.js';
import { loadConfig } from '../../cli/config.js';
import { openStore } from '../../cli/database.js';
import { issueToken } from '../../server/auth/api-tokens.js';
import { CaughtMailStore, type CaughtMessage } from '../../store/mail.js';
import { PgTokenStore } from '../../store/tokens.js';
import { freePort } from './ports.js';

export interface CovenantSettings {
  dataDir: string;
  env: Record<string, string>;
  url: string;
}

/** Fresh ports and a data folder; the same settings start the same Covenant again. */
export async function covenantSettings(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<CovenantSettings> {
  const port = await freePort();
  return {
    dataDir,
    url: `http://127.0.0.1:${port}`,
    env: {
      PORT: String(port),
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      SMTP_CATCHER_PORT: String(await freePort()),
      POSTGRES_PORT: String(await freePort()),
      COVENANT_DATA_DIR: dataDir,
      COVENANT_API_RATE_LIMIT: '100000',
      COVENANT_APPROVAL_RATE_LIMIT: '100000',
      ...env,
    },
  };
}

export interface CovenantProcess {
  child: ChildProcess;
  /** When the process was spawned (ms since the epoch). */
  spawnedAt: number;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every Covenant this test file spawned, with its settings, for cleanUpCovenants(). */
const spawned: [CovenantProcess, CovenantSettings][] = [];

/** Kills what a test left running: each spawned Covenant's group, and its Temporal and PostgreSQL. */
export function cleanUpCovenants(): void {
  for (const [covenant, settings] of spawned) {
    if (covenant.child.exitCode === null && covenant.child.signalCode === null) {
      try {
        process.kill(-covenant.child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    killLeftovers(settings);
  }
}

export function spawnCovenant(settings: CovenantSettings): CovenantProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join('cli', 'start.ts')], {
    cwd: projectRoot,
    env: { ...process.env, ...settings.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const covenant = { child, spawnedAt: Date.now(), output: () => output, exited };
  spawned.push([covenant, settings]);
  return covenant;
}

/** Ctrl-C in a terminal: SIGINT to every process of the foreground group. */
export function pressCtrlC(process_: CovenantProcess): void {
  process.kill(-process_.child.pid!, 'SIGINT');
}

/** The pid of the embedded Temporal dev server, while it runs. */
export function temporalPid(settings: CovenantSettings): number | undefined {
  const file = join(settings.dataDir, 'temporal', 'temporal.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8')) : undefined;
}

/** The pid of the embedded PostgreSQL, while it runs. */
export function postgresPid(settings: CovenantSettings): number | undefined {
  const file = join(settings.dataDir, 'postgres', 'postmaster.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : undefined;
}

/** Kills what a Covenant process may have left (its Temporal and PostgreSQL run in groups of their own). */
export function killLeftovers(settings: CovenantSettings): void {
  for (const pid of [temporalPid(settings), postgresPid(settings)]) {
    if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs `work` on the data folder's database: the running Covenant's, or its embedded one started for it. */
async function withStore<T>(
  settings: CovenantSettings,
  work: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>,
): Promise<T> {
  const store = await openStore(loadConfig(settings.env));
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** An admin token in the data folder's database, as `covenant tokens create` makes one. */
export function adminTokenFor(settings: CovenantSettings): Promise<string> {
  return withStore(settings, async (store) => {
    const issued = await issueToken(new PgTokenStore(store.database), {
      role: 'admin',
      name: `test-admin-${Date.now()}`,
    });
    return issued.token;
  });
}

export interface HealthPoll {
  /** Each answer in order: an HTTP status, or 'refused' before the server listens. */
  statuses: (number | 'refused')[];
  /** The longest a single request waited for its answer. */
  slowestMs: number;
  /** Milliseconds from `since` to the first 200. */
  readyAfterMs: number;
  /** Retry-After of the first 503. */
  retryAfter?: string;
}

/** Polls /healthz with plain fetch and no timeout of its own, until 200 or `deadlineMs` after `since`. */
export async function pollHealth(url: string, since: number, deadlineMs: number): Promise<HealthPoll> {
  const poll: HealthPoll = { statuses: [], slowestMs: 0, readyAfterMs: -1 };
  while (Date.now() - since < deadlineMs) {
    const asked = Date.now();
    let status: number | 'refused';
    try {
      const response = await fetch(`${url}/healthz`);
      await response.arrayBuffer();
      status = response.status;
      if (status === 503 && poll.retryAfter === undefined)
        poll.retryAfter = response.headers.get('retry-after') ?? '';
    } catch {
      status = 'refused';
    }
    poll.slowestMs = Math.max(poll.slowestMs, Date.now() - asked);
    if (poll.statuses.at(-1) !== status) poll.statuses.push(status);
    if (status === 200) {
      poll.readyAfterMs = Date.now() - since;
      return poll;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return poll;
}

/** Every message the built-in catcher caught for this data folder, duplicates included. */
export function caughtMail(settings: CovenantSettings): Promise<CaughtMessage[]> {
  return withStore(settings, (store) => new CaughtMailStore(store.database).list());
}

/** Message-IDs that arrived more than once. */
export function duplicates(messages: CaughtMessage[]): string[] {
  const seen = new Map<string, number>();
  for (const m of messages) seen.set(m.messageId, (seen.get(m.messageId) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
}

export async function http<T = unknown>(
  settings: CovenantSettings,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${settings.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T,
  };
}
