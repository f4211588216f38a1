// A Covenant process until Ctrl-C: `covenant start` (`npm start`, the whole platform on one
// machine), `covenant worker` or `covenant api`. The HTTP server listens before the rest of
// Covenant is even loaded, so from the first second every request gets an answer.
import { LINK_MINUTES, type UserStore } from '../store/users.js';
import { dataDirExposure, loadConfig } from './config.js';
import { listen } from './http-server.js';
import type { Role, Stack } from './stack.js';

/** Phases slower than this are printed with their time. */
const SLOW_PHASE_MS = 2_000;

export async function runCovenant(role: Role): Promise<void> {
  const started = Date.now();
  // Everything Covenant and its embedded Temporal create is this user's only (files 0600, folders 0700).
  process.umask(0o077);
  const starting = new AbortController();
  let stack: Stack | undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\nCovenant: ${signal}, stopping...`);
    if (!stack) {
      // startStack stops what it started when the abort reaches it; a start not yet that far just ends.
      starting.abort(new Error(`${signal} during start`));
      return;
    }
    const stoppedAt = Date.now();
    stack
      .stop()
      .then(() => {
        console.log(`Covenant: stopped in ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s.`);
        process.exit(0);
      })
      .catch((err: unknown) => {
        console.error(err);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  const config = loadConfig();
  const http = role === 'worker' ? undefined : await listen(config.port, config.host);
  console.log(`Covenant${role === 'start' ? '' : ` ${role}`}: starting (data in ${config.dataDir})...`);
  const exposure = dataDirExposure(config.dataDir);
  if (exposure) console.warn(`Covenant: warning: ${exposure}.`);
  (await import('./temporal-connection.js')).installRuntime();
  const { startStack } = await import('./stack.js');
  const { issueFirstAdminToken } = await import('../server/auth/api-tokens.js');
  try {
    stack = await startStack(config, {
      role,
      ...(http ? { http } : {}),
      signal: starting.signal,
      onPhase: ({ name, ms }) => {
        if (ms > SLOW_PHASE_MS) console.log(`  ${name}: ${(ms / 1000).toFixed(1)} s`);
      },
      onWaiting: (message) => console.log(`Covenant: ${message}`),
      onNotice: (message) => console.log(`Covenant: ${message}`),
    });
  } catch (err) {
    if (stopping) process.exit(0);
    throw err;
  }
  if (stopping) {
    await stack.stop();
    process.exit(0);
  }
  const startedIn = `${((Date.now() - started) / 1000).toFixed(1)} s`;
  if (role === 'worker') {
    console.log(`Covenant worker is running (started in ${startedIn}):
  Task queue     ${config.taskQueue} on Temporal at ${stack.urls.temporal}
  Database       ${stack.urls.database}
  Mail           ${stack.urls.smtp}
Press Ctrl-C to stop.`);
    return;
  }
  const first = role === 'start' ? await issueFirstAdminToken(stack.tokens) : undefined;
  const firstAdmin =
    role === 'start' ? await firstAdminLink(stack.users, config.adminEmail, stack.urls.app) : undefined;
  console.log(`Covenant${role === 'api' ? ' API' : ''} is running (started in ${startedIn}):
  App and API    ${stack.urls.app}   (API at ${stack.urls.api})
  Outbox         ${stack.urls.outbox ?? `mail goes to ${stack.urls.smtp}`}
  Temporal UI    ${stack.urls.temporalUi ?? `(Temporal at ${stack.urls.temporal})`}
  Database       ${stack.urls.database}
Press Ctrl-C to stop.`);
  if (first) {
    console.log(`
First start: an admin API token was created. It is shown this once and stored only as a hash:

  ${first.token}

  curl -H "Authorization: Bearer ${first.token}" ${stack.urls.api}/contracts
More tokens: npm run covenant -- tokens create --role admin|manager|unit|viewer --name NAME`);
  }
  if (firstAdmin) {
    console.log(`
Nobody could sign in yet: ${config.adminEmail} was added as the first admin. Sign in with this link
(it works once, for ${LINK_MINUTES} minutes; \`npm run covenant -- users link ${config.adminEmail}\` prints another):

  ${firstAdmin}`);
  }
}

/** When nobody may sign in yet, the first admin and a sign-in link for them. */
async function firstAdminLink(users: UserStore, email: string, appUrl: string): Promise<string | undefined> {
  if ((await users.count()) > 0) return undefined;
  await users.put({ email, name: 'Administrator', role: 'admin' }, 'npm start (first start)');
  const token = await users.issueLink(email);
  return token && `${appUrl}/sign-in/${token}`;
}

/** Ends the process with a message a person can act on when the start failed. */
export function startFailed(err: unknown): never {
  console.error(`Covenant could not start: ${explain(err)}`);
  process.exit(1);
}

/** A message a person can act on, for the failures of a start we can name. */
function explain(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'EADDRINUSE')
    return `${message}. Another program uses this port: set PORT (or SMTP_CATCHER_PORT).`;
  if (code === 'EACCES')
    return `${message}. Choose a port above 1024 (PORT) or run with the right to bind it.`;
  if (
    message.startsWith('Invalid configuration') ||
    message.startsWith('The Temporal dev server') ||
    message.startsWith('The database migration') ||
    message.startsWith('PostgreSQL')
  )
    return message;
  return err instanceof Error ? (err.stack ?? message) : message;
}
