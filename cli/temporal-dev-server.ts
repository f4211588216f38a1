// The embedded Temporal dev server: `temporal server start-dev` with its database on disk.
// It runs in a process group of its own, so a Ctrl-C in the terminal reaches Covenant only, which
// stops the HTTP server, drains the worker and only then stops Temporal. Its pid is kept beside
// its database: a server left behind by a Covenant that was killed is stopped at the next start.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { SEARCH_ATTRIBUTES } from '../workflows/messages.js';

export interface DevServer {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  binary: string;
  /** Folder for the database file, the server's log and its pid. */
  dataDir: string;
  port: number;
  uiPort?: number;
  namespace: string;
  /** Keep the database in memory (tests). */
  ephemeral?: boolean;
}

const TYPE_FLAG: Record<string, string> = {
  KEYWORD: 'Keyword',
  DOUBLE: 'Double',
  DATETIME: 'Datetime',
  INT: 'Int',
  TEXT: 'Text',
  BOOL: 'Bool',
};

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const pidFile = join(options.dataDir, 'temporal.pid');
  await stopLeftover(pidFile, options.binary);
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port)];
  args.push('--namespace', options.namespace, '--log-level', 'warn');
  if (!options.ephemeral) args.push('--db-filename', join(options.dataDir, 'temporal.db'));
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  for (const key of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=${TYPE_FLAG[key.type]}`);
  // Updates and frequent upserts are on by default in recent servers; these keep older ones in line.
  args.push('--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true');

  // The log file is the server's own stdout: it does not depend on this process staying alive.
  const log = openSync(join(options.dataDir, 'temporal.log'), 'a', 0o600);
  // detached: a process group of its own, out of reach of the terminal's Ctrl-C.
  const child = spawn(options.binary, args, { stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (child.pid) writeFileSync(pidFile, String(child.pid), { mode: 0o600 });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    rmSync(pidFile, { force: true });
  };
  try {
    await waitForPort(options.port, child, 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    address: `127.0.0.1:${options.port}`,
    ...(options.uiPort ? { uiUrl: `http://localhost:${options.uiPort}` } : {}),
    stop,
  };
}

/** Stops a dev server a killed Covenant left running on this data folder (it holds the port and the database). */
async function stopLeftover(pidFile: string, binary: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 1 || !isDevServer(pid, binary)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (alive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The pid is still a `temporal server start-dev` of this binary (pids are reused). */
function isDevServer(pid: number, binary: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline[0] === binary && cmdline.includes('start-dev');
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(
        `The Temporal dev server exited with code ${child.exitCode} (is port ${port} in use? set TEMPORAL_DEV_PORT); see temporal.log in the data folder`,
      );
    }
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`The Temporal dev server did not open port ${port} within ${timeoutMs / 1000} s`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
