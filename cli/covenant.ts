#!/usr/bin/env -S node --import tsx
// `covenant <command>` (`npm run covenant -- <command>`): the processes (start, worker, api) and
// the operator's commands (tokens, projections, rules).
import { CovenantError } from '../model/errors.js';
import { PgTokenStore } from '../store/tokens.js';
import { RULES_USAGE, rulesCommand } from './commands/rules.js';
import { TOKENS_USAGE, tokensCommand } from './commands/tokens.js';
import { USERS_USAGE, usersCommand } from './commands/users.js';
import { UserStore } from '../store/users.js';
import { UsageError } from './commands/usage-error.js';
import { Client } from '@temporalio/client';
import { ReadModel } from '../store/read-model.js';
import { PROJECTIONS_USAGE, projectionsCommand } from './commands/projections.js';
import { loadConfig, type Config } from './config.js';
import { runCovenant, startFailed } from './run-process.js';
import { connectClient } from './temporal-connection.js';
import { openStore } from './database.js';

const USAGE = `Usage: covenant <command>

  covenant start       the whole platform on this machine (as npm start)
  covenant worker      a worker, for the Temporal and PostgreSQL a start or a cluster runs
  covenant api         an API server (REST API, approval pages, web UI), likewise

${TOKENS_USAGE}

${USERS_USAGE}

${RULES_USAGE}

${PROJECTIONS_USAGE}

Configuration comes from the environment, as for npm start (COVENANT_DATA_DIR or DATABASE_URL).`;

async function run(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (command === undefined || command === 'help' || command === '--help') return console.log(USAGE);
  if (command === 'start' || command === 'worker' || command === 'api') {
    if (args.length > 0) throw new UsageError(`covenant ${command} takes no arguments.`, USAGE);
    return runCovenant(command).catch(startFailed);
  }
  // The rules tools work on files alone: no configuration, no data folder.
  if (command === 'rules') {
    process.exitCode = rulesCommand(args, (line) => console.log(line));
    return;
  }
  if (command !== 'tokens' && command !== 'projections' && command !== 'users')
    throw new UsageError(`Unknown command '${command}'.`, USAGE);
  const config = loadConfig();
  if (command === 'projections') return projections(config, args);
  // The database of a running Covenant, or the embedded one started for this command alone.
  const store = await openStore(config, { onNotice: (message) => console.error(`covenant: ${message}`) });
  try {
    if (command === 'users') {
      const publicUrl = config.publicUrl ?? `http://localhost:${config.port}`;
      await usersCommand(args, new UserStore(store.database), publicUrl, (line) => console.log(line));
    } else await tokensCommand(args, new PgTokenStore(store.database), (line) => console.log(line));
  } finally {
    await store.close();
  }
}

/** Needs Temporal as well as the database: the running Covenant's, or TEMPORAL_ADDRESS. */
async function projections(config: Config, args: string[]): Promise<void> {
  const address = config.temporalAddress ?? `127.0.0.1:${config.temporalDevPort}`;
  const connection = await connectClient(address, { onWaiting: (m) => console.error(`covenant: ${m}`) });
  const store = await openStore(config, { onNotice: (message) => console.error(`covenant: ${message}`) });
  try {
    const client = new Client({ connection, namespace: config.temporalNamespace });
    await projectionsCommand(args, client, new ReadModel(store.database), config.taskQueue, (line) =>
      console.log(line),
    );
  } finally {
    await store.close();
    await connection.close();
  }
}

run().catch((err: unknown) => {
  // Mistakes of the operator get a message; anything else is a bug and gets its stack.
  if (err instanceof UsageError) {
    console.error(err.usage ? `${err.message}\n\n${err.usage}` : err.message);
    process.exit(2);
  }
  if (err instanceof CovenantError) {
    console.error(
      err.issues.map((i) => `${i.pointer ? `${i.pointer.slice(1)}: ` : ''}${i.message}`).join('\n'),
    );
    process.exit(1);
  }
  console.error(err);
  process.exit(1);
});
