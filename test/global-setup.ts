// One Temporal dev server and one workflow bundle for the whole run, shared by the integration files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflows } from '../cli/workflow-bundle.js';
import type { TestProject } from 'vitest/node';
import { temporalCliPath } from '../cli/temporal-binaries.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../cli/embedded-postgres.js';
import { startDevServer, type DevServer } from '../cli/temporal-dev-server.js';
import { freePort } from './support/ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
    /** The run's PostgreSQL, as its superuser: each test stack creates a database of its own. */
    postgresAdminUrl: string;
  }
}

let server: DevServer | undefined;
let postgres: EmbeddedPostgres | undefined;
let dir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  const binary = temporalCliPath();
  if (!binary)
    throw new Error('No Temporal CLI: run `node scripts/provision-temporal.mjs` (npm install does).');
  dir = mkdtempSync(join(tmpdir(), 'covenant-test-'));
  postgres = await startEmbeddedPostgres({
    dataDir: join(dir, 'postgres'),
    port: await freePort(),
    passwordFile: join(dir, 'postgres-password'),
    logFile: join(dir, 'postgres.log'),
  });
  project.provide('postgresAdminUrl', postgres.adminUrl);
  server = await startDevServer({
    binary,
    dataDir: dir,
    port: await freePort(),
    namespace: 'default',
    ephemeral: true,
  });
  const { code } = await bundleWorkflows(quietLogger);
  const workflowBundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, code);
  project.provide('temporalAddress', server.address);
  project.provide('workflowBundlePath', workflowBundlePath);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  await postgres?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
