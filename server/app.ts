// The HTTP server: REST API, approval pages, stored documents and the web UI.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { fileURLToPath } from 'node:url';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { CovenantError } from '../model/errors.js';
import { validator } from '../model/validation.js';
import type { Templates } from '../templates/index.js';
import { authorize } from './auth/access.js';
import type { Authenticator } from './auth/principal.js';
import { checkScope } from './auth/scope.js';
import { errorHandler, RETRY_AFTER_S, toCovenantError } from './errors.js';
import type { BlobStore } from '../store/blobs.js';
import type { CaughtMailStore } from '../store/mail.js';
import { Pages } from './pages.js';
import { approvalRoutes } from './routes/approvals.js';
import { contractRoutes } from './routes/contracts.js';
import { actionPlanRoutes } from './routes/action-plan.js';
import { ruleSetScales } from './ruleset-registry.js';
import type { Mailer } from '../activities/mailer.js';
import type { UserStore } from '../store/users.js';
import { SessionAuthenticator } from './auth/sessions.js';
import type { OidcSignOn } from './auth/oidc.js';
import { signInRoutes } from './routes/sign-in.js';
import { peopleRoutes } from './routes/people.js';
import { reportFormRoutes } from './routes/report-form.js';
import { managerFormRoutes } from './routes/manager-forms.js';
import { formUploads } from './form-uploads.js';
import { contractFormRoutes } from './routes/contract-form.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { ruleSetPageRoutes } from './routes/ruleset-pages.js';
import { studioRoutes } from './routes/studio.js';
import { studioEscalationRoutes } from './routes/studio-escalations.js';
import { studioSettingsRoutes } from './routes/studio-settings.js';
import { studioGuardRoutes } from './routes/studio-guards.js';
import { studioScoringRoutes } from './routes/studio-scoring.js';
import { studioRawRoutes } from './routes/studio-raw.js';
import { studioWhatIfRoutes } from './routes/studio-what-if.js';
import { studioTryRoutes } from './routes/studio-try.js';
import { correctiveFormRoutes } from './routes/corrective-forms.js';
import { SessionForms } from './auth/session-forms.js';
import { portfolioRoutes, type PortfolioDeps } from './routes/portfolio.js';
import type { PortfolioStore } from '../store/portfolio.js';
import { documentRoutes } from './routes/documents.js';
import { evidenceRoutes } from './routes/evidence.js';
import { reportRoutes } from './routes/reports.js';
import { lifecycleRoutes } from './routes/lifecycle.js';
import { ruleSetRoutes } from './routes/rulesets.js';
import { uiRoutes } from './routes/ui.js';
import type { ReadModel } from '../store/read-model.js';
import { ContractReads } from './contract-reads.js';
import type { RuleRunner } from './rule-runner/index.js';
import { rateLimiters, securityHeaders, type RateLimits } from './security.js';

export interface AppDeps {
  client: Client;
  namespace: string;
  taskQueue: string;
  publicUrl: string;
  linkSecret: string;
  templates: Templates;
  documents: BlobStore;
  /** The caught mail, when the built-in SMTP catcher runs. */
  outbox?: CaughtMailStore;
  /** Who calls: bearer API tokens today; OIDC can join behind the same interface. */
  authenticator: Authenticator;
  /** People who sign in (sessions, one-time links) and the mail that carries their links. */
  users: UserStore;
  mailer: Mailer;
  /** A rule set's publication is approved by a second admin (COVENANT_RULESET_FOUR_EYES=on). */
  fourEyes?: boolean;
  /** Single sign-on, when configured (OIDC_*). */
  oidc?: OidcSignOn;
  rateLimits: RateLimits;
  /** The categories a contract may name (COVENANT_CATEGORIES); any when absent. */
  categories?: readonly string[];
  /** Runs rule-set checks and simulations in threads, off this event loop. */
  ruleRunner: RuleRunner;
  /** Contracts as projected into PostgreSQL: every read goes there, not to Temporal. */
  readModel: ReadModel;
  /** Published portfolio reviews, and the waits of a review started by hand (COVENANT_PORTFOLIO_*). */
  portfolio: PortfolioStore;
  portfolioReview: PortfolioDeps['review'];
}

/** Where scripts/build-client.mjs puts the bundled client. */
const CLIENT_BUNDLE = fileURLToPath(new URL('../dist/client/', import.meta.url));

/** Items per page of a list, unless the request asks for another `limit` (at most 500). */
const DEFAULT_PAGE = 100;
const checkPage = validator<{ limit?: string; cursor?: string }>({
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'string', pattern: '^(500|[1-4][0-9]{2}|[1-9][0-9]?)$' },
    cursor: { type: 'string', pattern: '^[0-9]{1,18}$' },
  },
});

/** /healthz answers within this. */
const HEALTH_DEADLINE_MS = 2_000;
/** How long a read (a state query, a list) may wait for Temporal. */
const READ_DEADLINE_MS = 10_000;

/** Nesting a JSON body may have: a rule set's rules nest 64 deep at most, in a document a few deep. */
const MAX_BODY_DEPTH = 100;

/**
 * A body nested deeper than anything Covenant takes is refused before any code walks it: schema
 * checks, messages to threads and workflows would otherwise overflow the stack (a 500).
 */
function refuseDeepBodies(req: Request, _res: Response, next: NextFunction): void {
  const stack: [unknown, number][] = [[req.body, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_BODY_DEPTH) {
      throw new CovenantError('invalid', [
        { pointer: '', message: `The body is nested deeper than ${MAX_BODY_DEPTH} levels` },
      ]);
    }
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  next();
}

export function createApp(deps: AppDeps): Express {
  const { client, outbox } = deps;
  const reads = new ContractReads(client, deps.readModel);
  const forms = new SessionForms(deps.linkSecret);
  const pages = new Pages(deps.templates, outbox !== undefined, forms);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  app.use(securityHeaders());
  const limiters = rateLimiters(deps.rateLimits, pages);
  app.use('/approvals', limiters.approvals);
  app.use('/sign-in', limiters.approvals);
  app.use('/api', limiters.api);
  app.use(limiters.forms);
  // Every request meets its row of the permission table (server/auth/permissions.ts) before any
  // body is read. Pages need a session on one machine too: the first start prints the first
  // admin's sign-in link.
  app.use(
    authorize({
      authenticator: deps.authenticator,
      sessions: new SessionAuthenticator(deps.users),
      linkSecret: deps.linkSecret,
    }),
  );

  // The bundled client script (scripts/build-client.mjs); pages work without it.
  app.use('/assets', express.static(CLIENT_BUNDLE, { fallthrough: false, maxAge: '1h' }));

  app.get('/healthz', async (_req, res) => {
    let workers: number;
    try {
      workers = await client.connection.withDeadline(Date.now() + HEALTH_DEADLINE_MS, async () => {
        await client.workflowService.getSystemInfo({});
        const queue = await client.workflowService.describeTaskQueue({
          namespace: deps.namespace,
          taskQueue: {
            name: deps.taskQueue,
            kind: proto.temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL,
          },
          taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        });
        return queue.pollers?.length ?? 0;
      });
    } catch (err) {
      if (!toCovenantError(err)) throw err;
      res.set('Retry-After', String(RETRY_AFTER_S)).status(503).json({ temporal: 'unavailable', workers: 0 });
      return;
    }
    if (workers === 0) res.set('Retry-After', String(RETRY_AFTER_S));
    res.status(workers > 0 ? 200 : 503).json({ temporal: 'ok', workers });
  });

  // Reads wait for Temporal a bounded time, then answer 503 (changes are not cut short: an Update
  // already sent may still be applied, and its answer must not say otherwise).
  app.use((req, _res, next) => {
    if (req.method !== 'GET') return next();
    client.connection.withDeadline(Date.now() + READ_DEADLINE_MS, () => Promise.resolve(next())).catch(next);
  });

  app.use('/api/v1', express.json({ limit: '1mb' }), refuseDeepBodies);
  // A comment of 2,000 characters in a non-Latin script, percent-encoded, takes up to 24 KB.
  app.use('/approvals', express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 10 }));
  app.use(
    ['/sign-in', '/sign-out'],
    express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 5 }),
  );
  const signing = signInRoutes({
    users: deps.users,
    mailer: deps.mailer,
    templates: deps.templates,
    pages,
    publicUrl: deps.publicUrl,
    linkSecret: deps.linkSecret,
    ...(deps.oidc ? { oidc: deps.oidc } : {}),
  });
  app.use('/sign-in', signing.signIn);
  app.use('/sign-out', signing.signOut);
  app.use('/people', express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 6 }));
  // The contract form: a dozen fields per indicator, up to 100 indicators; its live check is JSON.
  app.use('/contracts/new/check', express.json({ limit: '1mb' }), refuseDeepBodies);
  app.use('/rulesets/:id/raw/check', express.json({ limit: '256kb' }), refuseDeepBodies);
  app.use('/contracts/new', express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 2000 }));
  // A report form: four fields per indicator, notes of up to 2,000 characters each.
  app.use('/contracts', express.urlencoded({ extended: false, limit: '2mb', parameterLimit: 450 }));
  // The report form carries evidence files.
  app.post('/contracts/:id/reports/:period', formUploads());
  app.post('/contracts/:id/corrective-actions/:action', formUploads());
  app.use('/rulesets', express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 }));
  app.use(forms.check());
  app.use('/people', peopleRoutes(deps.users, pages));
  app.use(checkScope(reads));
  app.use(
    '/contracts',
    contractFormRoutes(
      {
        client,
        taskQueue: deps.taskQueue,
        reads,
        ...(deps.categories ? { categories: deps.categories } : {}),
      },
      pages,
    ),
  );
  app.use('/contracts', reportFormRoutes(client, reads, pages, deps.documents));
  app.use('/contracts', managerFormRoutes(client, reads, pages));
  app.use('/contracts', correctiveFormRoutes(client, reads, pages, deps.documents));
  app.use(
    '/api/v1/contracts',
    contractRoutes({
      client,
      taskQueue: deps.taskQueue,
      publicUrl: deps.publicUrl,
      reads,
      ...(deps.categories ? { categories: deps.categories } : {}),
    }),
  );
  app.use('/api/v1/contracts', lifecycleRoutes(client, reads));
  app.use('/api/v1/contracts', reportRoutes({ client, reads, documents: deps.documents }));
  app.use('/api/v1/contracts', evidenceRoutes(deps.documents, deps.publicUrl));
  app.use('/api/v1/contracts', actionPlanRoutes({ client, reads, documents: deps.documents }));
  // Publishing a rule set: by one admin, or asked by one and approved by a second (four eyes).
  const publication = {
    client,
    fourEyes: deps.fourEyes ?? false,
    users: deps.users,
    mailer: deps.mailer,
    templates: deps.templates,
    publicUrl: deps.publicUrl,
  };
  app.use(
    '/api/v1/rulesets',
    ruleSetRoutes({
      client,
      taskQueue: deps.taskQueue,
      runner: deps.ruleRunner,
      readModel: deps.readModel,
      publication,
    }),
  );
  app.use(
    '/api/v1/portfolio',
    portfolioRoutes({
      client,
      taskQueue: deps.taskQueue,
      readModel: deps.readModel,
      portfolio: deps.portfolio,
      review: deps.portfolioReview,
    }),
  );
  app.get('/api/v1/outbox', async (req, res) => {
    if (!outbox)
      throw new CovenantError('not-found', [
        { pointer: '', message: 'Mail goes to SMTP_URL; there is no local outbox' },
      ]);
    const { limit, cursor } = checkPage({ ...req.query });
    const page = await outbox.page(Number(limit ?? DEFAULT_PAGE), cursor);
    res.json({ messages: page.items, ...(page.next ? { next: page.next } : {}) });
  });
  app.use('/api', (_req, _res) => {
    throw new CovenantError('not-found', [{ pointer: '', message: 'No such API route' }]);
  });

  app.use(
    '/approvals',
    approvalRoutes({ client, linkSecret: deps.linkSecret, pages, reads, documents: deps.documents }),
  );
  app.use(
    '/documents',
    documentRoutes({
      documents: deps.documents,
      client,
      taskQueue: deps.taskQueue,
      readModel: deps.readModel,
      templates: deps.templates,
    }),
  );
  app.use(dashboardRoutes({ client, readModel: deps.readModel, portfolio: deps.portfolio }, pages));
  const studio = { client, taskQueue: deps.taskQueue, runner: deps.ruleRunner };
  app.use(studioRoutes({ ...studio, publication }, pages));
  app.use(studioEscalationRoutes(studio, pages));
  app.use(studioSettingsRoutes(studio, pages));
  app.use(studioGuardRoutes(studio, pages));
  app.use(studioScoringRoutes(studio, pages));
  app.use(studioRawRoutes(studio, pages));
  app.use(studioWhatIfRoutes({ client, runner: deps.ruleRunner, readModel: deps.readModel }, pages));
  app.use(studioTryRoutes({ ...studio, reads }, pages));
  app.use(ruleSetPageRoutes(client, deps.taskQueue, pages, deps.fourEyes ?? false));
  app.use(uiRoutes(reads, pages, outbox, ruleSetScales(client)));
  app.use(errorHandler(pages));
  return app;
}
