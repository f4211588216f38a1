// `npm start`: the whole platform on one machine, until Ctrl-C.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { issueFirstAdminToken } from '../server/auth/api-tokens.js';
import { loadConfig } from './config.js';
import { startStack } from './stack.js';

async function run(): Promise<void> {
  // We own the signals: Ctrl-C stops the server, the worker, the mail catcher and Temporal in order.
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const started = Date.now();
  const config = loadConfig();
  console.log(`Covenant: starting (data in ${config.dataDir})...`);
  const stack = await startStack(config);
  const first = await issueFirstAdminToken(stack.tokens);
  console.log(`Covenant is running (started in ${((Date.now() - started) / 1000).toFixed(1)} s):
  App and API    ${stack.urls.app}   (API at ${stack.urls.api})
  Outbox         ${stack.urls.outbox ?? `mail goes to ${stack.urls.smtp}`}
  Temporal UI    ${stack.urls.temporalUi ?? `(external Temporal at ${stack.urls.temporal})`}
Press Ctrl-C to stop.`);
  if (first) {
    console.log(`
First start: an admin API token was created. It is shown this once and stored only as a hash:

  ${first.token}

  curl -H "Authorization: Bearer ${first.token}" ${stack.urls.api}/contracts
More tokens: npm run covenant -- tokens create --role admin|manager|unit|viewer --name NAME`);
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\nCovenant: ${signal}, stopping...`);
    stack
      .stop()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        console.error(err);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
