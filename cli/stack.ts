// Wires one Covenant stack: Temporal (embedded dev server or TEMPORAL_ADDRESS), the mail catcher
// (or SMTP_URL), the HTTP server and the worker. Used by `npm start` and by the integration tests.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { DocumentStore } from '../activities/documents.js';
import { Mailer } from '../activities/mailer.js';
import { createApp } from '../server/app.js';
import { ApiTokenAuthenticator } from '../server/auth/api-tokens.js';
import { FileTokenStore, type TokenStore } from '../server/auth/token-store.js';
import { startMailCatcher, type MailCatcher } from '../server/mail-catcher.js';
import { OutboxStore } from '../server/outbox-store.js';
import { Templates } from '../templates/index.js';
import { SEARCH_ATTRIBUTES } from '../workflows/messages.js';
import type { Config } from './config.js';
import { ensureSearchAttributes } from './search-attributes.js';
import { projectRoot, temporalCliPath } from './temporal-binaries.js';
import { startDevServer } from './temporal-dev-server.js';

export interface Stack {
  config: Config;
  client: Client;
  urls: { app: string; api: string; outbox?: string; temporalUi?: string; temporal: string; smtp: string };
  outbox?: OutboxStore;
  /** The API tokens' hashes: `npm start` issues the first admin token here, tests issue theirs. */
  tokens: TokenStore;
  /** The built-in SMTP catcher, stopped and started again on its port by the relay-outage test. */
  mailCatcher?: { stop(): Promise<void>; start(): Promise<void> };
  stop(): Promise<void>;
}

export interface StackOptions {
  /** A prebuilt workflow bundle (tests build one per run); otherwise the worker bundles at start. */
  workflowBundlePath?: string;
}

export async function startStack(config: Config, options: StackOptions = {}): Promise<Stack> {
  const stops: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn();
  };
  try {
    const temporal = await startTemporal(config);
    stops.push(() => temporal.stop());

    const connection = await Connection.connect({ address: temporal.address });
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: config.temporalNamespace });
    await ensureSearchAttributes(client, config.temporalNamespace, SEARCH_ATTRIBUTES);

    let outbox: OutboxStore | undefined;
    let catcher: MailCatcher | undefined;
    let mailCatcher: Stack['mailCatcher'];
    if (!config.smtpUrl) {
      const store = new OutboxStore(join(config.dataDir, 'outbox'));
      outbox = store;
      catcher = await startMailCatcher(store, config.smtpCatcherPort);
      const port = catcher.port;
      stops.push(() => catcher?.close());
      mailCatcher = {
        stop: async () => {
          const running = catcher;
          catcher = undefined;
          await running?.close();
        },
        start: async () => {
          catcher ??= await startMailCatcher(store, port);
        },
      };
    }
    const smtpUrl = config.smtpUrl ?? catcher!.url;

    const http: Server = createServer();
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(config.port, config.host, resolve);
    });
    stops.push(() => new Promise<void>((resolve) => http.close(() => resolve())));
    http.closeIdleConnections();
    const port = (http.address() as AddressInfo).port;
    const publicUrl = config.publicUrl ?? `http://localhost:${port}`;

    const templates = new Templates(join(projectRoot, 'templates'));
    const documentsDir = join(config.dataDir, 'documents');
    const mailer = new Mailer(smtpUrl, config.mailFrom);
    stops.push(() => mailer.close());

    const workerConnection = await NativeConnection.connect({ address: temporal.address });
    stops.push(() => workerConnection.close());
    const worker = await Worker.create({
      connection: workerConnection,
      namespace: config.temporalNamespace,
      taskQueue: config.taskQueue,
      ...(options.workflowBundlePath
        ? { workflowBundle: { codePath: options.workflowBundlePath } }
        : { workflowsPath: join(projectRoot, 'workflows', 'index.ts') }),
      activities: createActivities({
        mailer,
        templates,
        documents: new DocumentStore(documentsDir),
        publicUrl,
        linkSecret: config.linkSecret,
      }),
    });
    const running = worker.run();
    stops.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });

    const tokens = new FileTokenStore(config.tokensFile);
    const app = createApp({
      client,
      namespace: config.temporalNamespace,
      taskQueue: config.taskQueue,
      publicUrl,
      linkSecret: config.linkSecret,
      templates,
      documentsDir,
      ...(outbox ? { outbox } : {}),
      authenticator: new ApiTokenAuthenticator(tokens),
      rateLimits: config.rateLimits,
    });
    http.on('request', app);
    stops.push(() => http.closeAllConnections());

    return {
      config,
      client,
      urls: {
        app: publicUrl,
        api: `${publicUrl}/api/v1`,
        ...(outbox ? { outbox: `${publicUrl}/outbox` } : {}),
        ...(temporal.uiUrl ? { temporalUi: temporal.uiUrl } : {}),
        temporal: temporal.address,
        smtp: smtpUrl.replace(/\/\/[^@/]*@/, '//***@'),
      },
      ...(outbox ? { outbox } : {}),
      tokens,
      ...(mailCatcher ? { mailCatcher } : {}),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

interface RunningTemporal {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

async function startTemporal(config: Config): Promise<RunningTemporal> {
  if (config.temporalAddress) return { address: config.temporalAddress, stop: async () => {} };
  const binary = temporalCliPath();
  if (binary) {
    return startDevServer({
      binary,
      dataDir: join(config.dataDir, 'temporal'),
      port: config.temporalDevPort,
      uiPort: config.temporalUiPort,
      namespace: config.temporalNamespace,
    });
  }
  // No provisioned CLI (no Go, no PyPI): the SDK downloads the dev server, where there is internet.
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download' },
      ip: '127.0.0.1',
      port: config.temporalDevPort,
      ui: true,
      uiPort: config.temporalUiPort,
      namespace: config.temporalNamespace,
      dbFilename: join(config.dataDir, 'temporal', 'temporal.db'),
      searchAttributes: SEARCH_ATTRIBUTES,
    },
  });
  return {
    address: `127.0.0.1:${config.temporalDevPort}`,
    uiUrl: `http://localhost:${config.temporalUiPort}`,
    stop: () => env.teardown(),
  };
}
