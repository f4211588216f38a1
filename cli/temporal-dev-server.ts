// The embedded Temporal dev server: `temporal server start-dev` with its database on disk.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
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
  /** Folder for the database file and the server's log. */
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
  mkdirSync(options.dataDir, { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--namespace',
    options.namespace,
  ];
  args.push('--log-level', 'warn');
  if (!options.ephemeral) args.push('--db-filename', join(options.dataDir, 'temporal.db'));
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  for (const key of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=${TYPE_FLAG[key.type]}`);
  // Updates and frequent upserts are on by default in recent servers; these keep older ones in line.
  args.push('--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true');

  const log = createWriteStream(join(options.dataDir, 'temporal.log'), { flags: 'a' });
  const child = spawn(options.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  await waitForPort(options.port, child, 60_000);
  return {
    address: `127.0.0.1:${options.port}`,
    ...(options.uiPort ? { uiUrl: `http://localhost:${options.uiPort}` } : {}),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      log.end();
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`temporal server exited with code ${child.exitCode}; see temporal.log`);
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`temporal server did not open port ${port} within ${timeoutMs / 1000} s`);
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
