// Wires one Covenant process. `covenant start` (`npm start`) runs everything on one machine: the
// embedded Temporal dev server and PostgreSQL (unless TEMPORAL_ADDRESS and DATABASE_URL name
// existing ones), the mail catcher (unless SMTP_URL), the worker and the HTTP server. `covenant
// worker` and `covenant api` run one role each against a Temporal and a PostgreSQL that run
// already, so that N workers and M API servers share them; neither keeps anything on local disk.
//
// The HTTP server listens first and answers 503 with Retry-After until the stack is ready, so no
// connection made during start is ever left unanswered. Stopping goes in the reverse order: the
// HTTP server stops taking requests, the worker drains (activities in flight finish and report to
// Temporal), the mail goes, and Temporal stops last.
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { createDocumentActivities } from '../activities/documents.js';
import { Mailer } from '../activities/mailer.js';
import { PdfRenderer } from '../activities/pdf.js';
import { createApp } from '../server/app.js';
import { OidcSignOn } from '../server/auth/oidc.js';
import { ApiTokenAuthenticator } from '../server/auth/api-tokens.js';
import { startMailCatcher, type MailCatcher } from '../server/mail-catcher.js';
import { RuleRunner } from '../server/rule-runner/index.js';
import { ruleSetEscalationWords, ruleSetScales } from '../server/ruleset-registry.js';
import { bundleWorkflows } from './workflow-bundle.js';
import { PgBlobStore } from '../store/blobs.js';
import type { Database } from '../store/database.js';
import { CaughtMailStore, PgSentMailRecord } from '../store/mail.js';
import { PortfolioStore } from '../store/portfolio.js';
import { ReadModel } from '../store/read-model.js';
import { linkSecret } from '../store/settings.js';
import { PgTokenStore, type TokenStore } from '../store/tokens.js';
import { UserStore } from '../store/users.js';
import { Templates } from '../templates/index.js';
import { documentsQueue, SEARCH_ATTRIBUTES } from '../workflows/messages.js';
import type { Config } from './config.js';
import { openStore } from './database.js';
import { ensurePortfolioSchedule } from './portfolio-schedule.js';
import { listen, type HttpServer } from './http-server.js';
import { ensureSearchAttributes } from './search-attributes.js';
import { projectRoot, temporalCliPath } from './temporal-binaries.js';
import { connectClient, connectWorker } from './temporal-connection.js';
import { startDevServer } from './temporal-dev-server.js';
import { workerTuning } from './worker-tuning.js';

/** What a process runs: everything, or one role against services that run already. */
export type Role = 'start' | 'worker' | 'api';

export interface Stack {
  config: Config;
  role: Role;
  client: Client;
  urls: {
    app: string;
    api: string;
    outbox?: string;
    temporalUi?: string;
    temporal: string;
    smtp: string;
    database: string;
  };
  /** Covenant's PostgreSQL. */
  database: Database;
  /** The key that signs approval and document links (COVENANT_LINK_SECRET, else the database's). */
  linkSecret: string;
  /** Caught mail, when mail goes to the built-in catcher (no SMTP_URL). */
  outbox?: CaughtMailStore;
  /** The API tokens' hashes: `npm start` issues the first admin token here, tests issue theirs. */
  tokens: TokenStore;
  /** People who sign in: `npm start` adds the first admin and prints their sign-in link. */
  users: UserStore;
  /** The built-in SMTP catcher, stopped and started again on its port by the relay-outage test. */
  mailCatcher?: { stop(): Promise<void>; start(): Promise<void> };
  /** How long each phase of the start took, in order. */
  phases: Phase[];
  stop(): Promise<void>;
}

export interface Phase {
  name: string;
  ms: number;
}

export interface StackOptions {
  /** `start` unless told otherwise. */
  role?: Role;
  /** A prebuilt workflow bundle (tests build one per run); otherwise the worker bundles at start. */
  workflowBundlePath?: string;
  /** Aborting it stops a start under way (Ctrl-C while waiting for Temporal). */
  signal?: AbortSignal;
  /** Told of each phase as it ends. */
  onPhase?: (phase: Phase) => void;
  /** A server already listening (`npm start` listens before loading the rest). */
  http?: HttpServer;
  /** Told of what may need a person's attention (where the embedded PostgreSQL keeps its data, files moved in). */
  onNotice?: (message: string) => void;
  /** Told once when an external Temporal does not answer yet (the start keeps trying). */
  onWaiting?: (message: string) => void;
}

/** The bundler's progress lines are noise at start; its warnings and errors are not. */
const QUIET = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

/** How long in-flight activities may take to finish when the worker stops. */
const WORKER_SHUTDOWN_GRACE = '10 seconds';
/** How long an HTTP request under way may take to finish when the server stops. */
const HTTP_DRAIN_MS = 5_000;

export async function startStack(config: Config, options: StackOptions = {}): Promise<Stack> {
  const role = options.role ?? 'start';
  const serves = role !== 'worker';
  const works = role !== 'api';
  const stops: (() => Promise<void> | void)[] = [];
  let http: HttpServer | undefined = options.http;
  // The HTTP server stops taking requests first; the rest stops in the reverse order of its start.
  const stop = async () => {
    await http?.close(HTTP_DRAIN_MS);
    for (const fn of stops.reverse()) await fn();
  };
  const phases: Phase[] = [];
  const phase = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const result = await work();
    const done = { name, ms: Date.now() - started };
    phases.push(done);
    options.onPhase?.(done);
    return result;
  };
  try {
    // Listening first: a request made while the stack starts gets 503, never silence.
    if (serves) http ??= await listen(config.port, config.host);
    const publicUrl = config.publicUrl ?? `http://localhost:${http?.port ?? config.port}`;
    // Bundling the workflows takes seconds of CPU: it runs while Temporal starts.
    const bundle: Promise<WorkflowBundleOption> | undefined = !works
      ? undefined
      : options.workflowBundlePath
        ? Promise.resolve({ codePath: options.workflowBundlePath })
        : bundleWorkflows(QUIET);
    bundle?.catch(() => {}); // awaited below; a start that fails earlier must not leave it unhandled

    const [temporal, store] = await Promise.all([
      phase('Temporal', () => startTemporal(config, role)),
      phase('PostgreSQL', () =>
        openStore(config, {
          own: role === 'start',
          ...(options.onNotice ? { onNotice: options.onNotice } : {}),
        }),
      ),
    ]);
    stops.push(() => temporal.stop());
    stops.push(() => store.close());
    const { database } = store;
    const secret = config.linkSecret ?? (await linkSecret(database, config.dataDir));

    const wait = {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onWaiting ? { onWaiting: options.onWaiting } : {}),
      ...(config.temporalAddress && config.temporalTls ? { tls: config.temporalTls } : {}),
      ...(config.temporalAddress && config.temporalApiKey ? { apiKey: config.temporalApiKey } : {}),
    };
    const connection = await phase('connecting to Temporal', () => connectClient(temporal.address, wait));
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: config.temporalNamespace });
    await phase('search attributes', () =>
      ensureSearchAttributes(client, config.temporalNamespace, SEARCH_ATTRIBUTES),
    );

    // Without SMTP_URL mail goes to the built-in catcher: `covenant start` runs it; a worker of its
    // own sends to it on its port; caught mail is in the database, so any API server shows it.
    const outbox = config.smtpUrl ? undefined : new CaughtMailStore(database);
    let catcher: MailCatcher | undefined;
    let mailCatcher: Stack['mailCatcher'];
    if (outbox && role === 'start') {
      catcher = await startMailCatcher(outbox, config.smtpCatcherPort);
      const catcherPort = catcher.port;
      stops.push(() => catcher?.close());
      mailCatcher = {
        stop: async () => {
          const running = catcher;
          catcher = undefined;
          await running?.close();
        },
        start: async () => {
          catcher ??= await startMailCatcher(outbox, catcherPort);
        },
      };
    }
    const smtpUrl = config.smtpUrl ?? catcher?.url ?? `smtp://127.0.0.1:${config.smtpCatcherPort}`;

    const templates = new Templates(join(projectRoot, 'templates'));
    const documents = new PgBlobStore(database);
    const readModel = new ReadModel(database);
    const portfolio = new PortfolioStore(database);

    if (works) {
      const mailer = new Mailer(smtpUrl, config.mailFrom, new PgSentMailRecord(database));
      stops.push(() => mailer.close());
      const workerConnection = await connectWorker(temporal.address, wait);
      stops.push(() => workerConnection.close());
      const workflowBundle = await phase('bundling the workflows', () => bundle!);
      const worker = await phase('worker', () =>
        Worker.create({
          connection: workerConnection,
          namespace: config.temporalNamespace,
          taskQueue: config.taskQueue,
          workflowBundle,
          activities: createActivities({
            mailer,
            templates,
            documents,
            publicUrl,
            linkSecret: secret,
            readModel,
            client,
            portfolio,
            office: config.portfolio.office,
            scaleOf: ruleSetScales(client),
            escalationWordsOf: ruleSetEscalationWords(client),
          }),
          shutdownGraceTime: WORKER_SHUTDOWN_GRACE,
          ...workerTuning(config),
        }),
      );
      const running = worker.run();
      stops.push(async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
      });
      // The documents task queue: PDFs printed by Chromium, at most pdfPages at once.
      const renderer = new PdfRenderer();
      if (!renderer.available) {
        options.onNotice?.(
          "No Chromium here: documents are served as HTML only (install Debian's chromium package or set CHROMIUM_PATH for PDFs)",
        );
      }
      stops.push(() => renderer.close());
      const documentsWorker = await Worker.create({
        connection: workerConnection,
        namespace: config.temporalNamespace,
        taskQueue: documentsQueue(config.taskQueue),
        activities: createDocumentActivities({ documents, renderer }),
        maxConcurrentActivityTaskExecutions: config.pdfPages,
        shutdownGraceTime: WORKER_SHUTDOWN_GRACE,
      });
      const printing = documentsWorker.run();
      stops.push(async () => {
        if (documentsWorker.getState() === 'RUNNING') documentsWorker.shutdown();
        await printing;
      });
      await phase('portfolio schedule', () => ensurePortfolioSchedule(client, config));
    }

    const tokens = new PgTokenStore(database);
    const users = new UserStore(database);
    if (serves) {
      // The API sends the sign-in links itself: a person waits for theirs.
      const apiMailer = new Mailer(smtpUrl, config.mailFrom, new PgSentMailRecord(database));
      stops.push(() => apiMailer.close());
      const ruleRunner = new RuleRunner();
      stops.push(() => ruleRunner.close());
      http!.attach(
        createApp({
          client,
          namespace: config.temporalNamespace,
          taskQueue: config.taskQueue,
          publicUrl,
          linkSecret: secret,
          templates,
          documents,
          ...(outbox ? { outbox } : {}),
          ...(config.oidc ? { oidc: new OidcSignOn(config.oidc, publicUrl, secret) } : {}),
          fourEyes: config.fourEyes,
          authenticator: new ApiTokenAuthenticator(tokens),
          users,
          mailer: apiMailer,
          rateLimits: config.rateLimits,
          ...(config.categories ? { categories: config.categories } : {}),
          ruleRunner,
          readModel,
          portfolio,
          portfolioReview: {
            cutoffDays: config.portfolio.cutoffDays,
            annualCutoffDays: config.portfolio.annualCutoffDays,
            pollMinutes: config.portfolio.pollMinutes,
          },
        }),
      );
    }

    return {
      config,
      role,
      client,
      urls: {
        app: publicUrl,
        api: `${publicUrl}/api/v1`,
        ...(outbox ? { outbox: `${publicUrl}/outbox` } : {}),
        ...(temporal.uiUrl ? { temporalUi: temporal.uiUrl } : {}),
        temporal: temporal.address,
        smtp: smtpUrl.replace(/\/\/[^@/]*@/, '//***@'),
        database: store.where,
      },
      database,
      linkSecret: secret,
      ...(outbox ? { outbox } : {}),
      tokens,
      users,
      ...(mailCatcher ? { mailCatcher } : {}),
      phases,
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

/** The embedded dev server for `covenant start`; for a worker or an API server, the one running. */
async function startTemporal(config: Config, role: Role): Promise<RunningTemporal> {
  if (config.temporalAddress) return { address: config.temporalAddress, stop: async () => {} };
  if (role !== 'start') return { address: `127.0.0.1:${config.temporalDevPort}`, stop: async () => {} };
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
