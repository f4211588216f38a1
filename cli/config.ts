// Configuration: read from the environment once, validated, documented in the README.
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { CovenantError } from '../model/errors.js';
import { validator } from '../model/validation.js';
import type { OidcSettings } from '../server/auth/oidc.js';
import { cacheForMemory } from './worker-tuning.js';

export interface Config {
  /** HTTP port of the API, approval pages and web UI. */
  port: number;
  host: string;
  /** Unset: http://localhost:<port>, known once the server listens. */
  publicUrl?: string;
  dataDir: string;
  /** Unset: start the embedded Temporal dev server. */
  temporalAddress?: string;
  /** Unset: the embedded PostgreSQL under the data folder. */
  databaseUrl?: string;
  /** Port of the embedded PostgreSQL (loopback only). */
  postgresPort: number;
  temporalNamespace: string;
  /** TLS (mTLS with a client certificate) and/or an API key for an external Temporal. */
  temporalTls?: { clientCert?: string; clientKey?: string; serverCa?: string };
  temporalApiKey?: string;
  taskQueue: string;
  temporalDevPort: number;
  temporalUiPort: number;
  /** Unset: start the built-in SMTP catcher on loopback. */
  smtpUrl?: string;
  smtpCatcherPort: number;
  mailFrom: string;
  /** COVENANT_LINK_SECRET; unset: the key kept in the database (store/settings.ts). */
  linkSecret?: string;
  rateLimits: { approvalsPerMinute: number; apiPerMinute: number };
  /** COVENANT_CATEGORIES: the categories a contract may name; unset: any. */
  categories?: string[];
  /** The quarterly portfolio review (docs/portfolio.md). */
  portfolio: PortfolioConfig;
  /** Worker tuning (cli/worker-tuning.ts). */
  worker: { memoryMb: number; cachedContracts: number; workflowTasks: number; activities: number };
  /** Browser pages printing PDFs at once, per worker (the documents task queue's activity slots). */
  pdfPages: number;
  /** The first admin's email address: `npm start` adds them when nobody may sign in yet. */
  adminEmail: string;
  /** A rule set's publication is approved by a second admin (COVENANT_RULESET_FOUR_EYES=on). */
  fourEyes: boolean;
  /** Single sign-on by OpenID Connect (OIDC_*); sign-in by emailed link only when absent. */
  oidc?: OidcSettings;
}

export interface PortfolioConfig {
  /** When the Schedule starts a review: a cron expression, read in `timeZone`; null: Covenant leaves the Schedule alone. */
  schedule: string | null;
  timeZone: string;
  /** Days a quarter's review waits for late reviews, and a year's for late evaluations. */
  cutoffDays: number;
  annualCutoffDays: number;
  /** How often a waiting review looks again. */
  pollMinutes: number;
  /** The performance office's addresses: every portfolio review is emailed to them. */
  office: string[];
}

const DECIMAL = '^[0-9]{1,6}(\\.[0-9]{1,6})?$';

const schema = {
  type: 'object',
  properties: {
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 3000 },
    HOST: { type: 'string', minLength: 1, default: '127.0.0.1' },
    PUBLIC_URL: { type: 'string', pattern: '^https?://[^\\s]+[^/\\s]$' },
    COVENANT_DATA_DIR: { type: 'string', minLength: 1, default: '.covenant-data' },
    TEMPORAL_ADDRESS: { type: 'string', pattern: '^[^\\s:]+:[0-9]+$' },
    DATABASE_URL: { type: 'string', pattern: '^postgres(ql)?://' },
    POSTGRES_PORT: { type: 'integer', minimum: 1, maximum: 65535, default: 5433 },
    TEMPORAL_NAMESPACE: { type: 'string', minLength: 1, default: 'default' },
    TEMPORAL_TLS: { type: 'string', enum: ['true', 'false'], default: 'false' },
    TEMPORAL_TLS_CERT: { type: 'string', minLength: 1 },
    TEMPORAL_TLS_KEY: { type: 'string', minLength: 1 },
    TEMPORAL_TLS_CA: { type: 'string', minLength: 1 },
    TEMPORAL_API_KEY: { type: 'string', minLength: 1 },
    TEMPORAL_TASK_QUEUE: { type: 'string', minLength: 1, default: 'covenant' },
    TEMPORAL_DEV_PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 7233 },
    TEMPORAL_UI_PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8233 },
    SMTP_URL: { type: 'string', pattern: '^smtps?://' },
    SMTP_CATCHER_PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 2525 },
    MAIL_FROM: { type: 'string', minLength: 3, default: 'Covenant <covenant@localhost>' },
    COVENANT_LINK_SECRET: { type: 'string', minLength: 32 },
    COVENANT_APPROVAL_RATE_LIMIT: { type: 'integer', minimum: 1, default: 60 },
    COVENANT_API_RATE_LIMIT: { type: 'integer', minimum: 1, default: 600 },
    COVENANT_WORKER_MEMORY_MB: { type: 'integer', minimum: 600, maximum: 1000000, default: 1024 },
    COVENANT_WORKER_CACHE: { type: 'integer', minimum: 2, maximum: 100000 },
    COVENANT_WORKER_TASKS: { type: 'integer', minimum: 2, maximum: 1000, default: 40 },
    COVENANT_WORKER_ACTIVITIES: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
    COVENANT_PDF_PAGES: { type: 'integer', minimum: 1, maximum: 32, default: 2 },
    COVENANT_ADMIN_EMAIL: { type: 'string', pattern: '^[^\\s,@]+@[^\\s,@]+$', default: 'admin@localhost' },
    OIDC_ISSUER: { type: 'string', pattern: '^https?://[^\\s]+$' },
    OIDC_CLIENT_ID: { type: 'string', minLength: 1, maxLength: 500 },
    OIDC_CLIENT_SECRET: { type: 'string', minLength: 1, maxLength: 2000 },
    OIDC_NAME: { type: 'string', minLength: 1, maxLength: 60, default: 'single sign-on' },
    COVENANT_RULESET_FOUR_EYES: { type: 'string', enum: ['on', 'off'], default: 'off' },
    // Comma-separated names of up to 100 characters, none empty.
    COVENANT_CATEGORIES: { type: 'string', pattern: '^[^,]{1,100}(,[^,]{1,100}){0,99}$' },
    // Five cron fields (minute hour day-of-month month day-of-week), or "off".
    COVENANT_PORTFOLIO_SCHEDULE: {
      type: 'string',
      pattern: '^(off|[^\\s]+( [^\\s]+){4})$',
      default: '0 6 1 1,4,7,10 *',
    },
    COVENANT_TIME_ZONE: { type: 'string', minLength: 1, maxLength: 64, default: 'UTC' },
    COVENANT_PORTFOLIO_CUTOFF_DAYS: { type: 'string', pattern: DECIMAL, default: '45' },
    COVENANT_PORTFOLIO_ANNUAL_CUTOFF_DAYS: { type: 'string', pattern: DECIMAL, default: '60' },
    COVENANT_PORTFOLIO_POLL_MINUTES: { type: 'string', pattern: DECIMAL, default: '360' },
    COVENANT_OFFICE_EMAIL: {
      type: 'string',
      pattern: '^[^\\s,@]+@[^\\s,@]+(, ?[^\\s,@]+@[^\\s,@]+){0,49}$',
    },
  },
} as const;

interface Env {
  PORT: number;
  HOST: string;
  PUBLIC_URL?: string;
  COVENANT_DATA_DIR: string;
  TEMPORAL_ADDRESS?: string;
  DATABASE_URL?: string;
  POSTGRES_PORT: number;
  TEMPORAL_NAMESPACE: string;
  TEMPORAL_TLS: 'true' | 'false';
  TEMPORAL_TLS_CERT?: string;
  TEMPORAL_TLS_KEY?: string;
  TEMPORAL_TLS_CA?: string;
  TEMPORAL_API_KEY?: string;
  TEMPORAL_TASK_QUEUE: string;
  TEMPORAL_DEV_PORT: number;
  TEMPORAL_UI_PORT: number;
  SMTP_URL?: string;
  SMTP_CATCHER_PORT: number;
  MAIL_FROM: string;
  COVENANT_LINK_SECRET?: string;
  COVENANT_APPROVAL_RATE_LIMIT: number;
  COVENANT_API_RATE_LIMIT: number;
  COVENANT_WORKER_MEMORY_MB: number;
  COVENANT_WORKER_CACHE?: number;
  COVENANT_WORKER_TASKS: number;
  COVENANT_WORKER_ACTIVITIES: number;
  COVENANT_PDF_PAGES: number;
  COVENANT_ADMIN_EMAIL: string;
  OIDC_ISSUER?: string;
  OIDC_CLIENT_ID?: string;
  OIDC_CLIENT_SECRET?: string;
  OIDC_NAME: string;
  COVENANT_RULESET_FOUR_EYES: 'on' | 'off';
  COVENANT_CATEGORIES?: string;
  COVENANT_PORTFOLIO_SCHEDULE: string;
  COVENANT_TIME_ZONE: string;
  COVENANT_PORTFOLIO_CUTOFF_DAYS: string;
  COVENANT_PORTFOLIO_ANNUAL_CUTOFF_DAYS: string;
  COVENANT_PORTFOLIO_POLL_MINUTES: string;
  COVENANT_OFFICE_EMAIL?: string;
}

const checkEnv = validator<Env>({ ...schema, additionalProperties: true });
const names = Object.keys(schema.properties);

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const name of names) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const type = (schema.properties as Record<string, { type: string }>)[name]!.type;
    raw[name] = type === 'integer' && /^-?\d+$/.test(value) ? Number(value) : value;
  }
  let parsed: Env;
  try {
    parsed = checkEnv(raw);
  } catch (err) {
    if (err instanceof CovenantError) {
      throw new Error(
        `Invalid configuration: ${err.issues.map((i) => `${i.pointer.slice(1)} ${i.message}`).join('; ')}`,
      );
    }
    throw err;
  }
  if (Boolean(parsed.TEMPORAL_TLS_CERT) !== Boolean(parsed.TEMPORAL_TLS_KEY)) {
    throw new Error(
      'Invalid configuration: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (a client certificate and its key)',
    );
  }
  const tls =
    parsed.TEMPORAL_TLS === 'true' || parsed.TEMPORAL_TLS_CERT || parsed.TEMPORAL_TLS_CA
      ? {
          ...(parsed.TEMPORAL_TLS_CERT
            ? { clientCert: readSetting('TEMPORAL_TLS_CERT', parsed.TEMPORAL_TLS_CERT) }
            : {}),
          ...(parsed.TEMPORAL_TLS_KEY
            ? { clientKey: readSetting('TEMPORAL_TLS_KEY', parsed.TEMPORAL_TLS_KEY) }
            : {}),
          ...(parsed.TEMPORAL_TLS_CA
            ? { serverCa: readSetting('TEMPORAL_TLS_CA', parsed.TEMPORAL_TLS_CA) }
            : {}),
        }
      : undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone: parsed.COVENANT_TIME_ZONE });
  } catch {
    throw new Error(
      `Invalid configuration: COVENANT_TIME_ZONE ${parsed.COVENANT_TIME_ZONE} is not a time zone (e.g. UTC, Africa/Nairobi)`,
    );
  }
  const oidc = oidcSettings(parsed);
  if (Number(parsed.COVENANT_PORTFOLIO_POLL_MINUTES) <= 0) {
    throw new Error('Invalid configuration: COVENANT_PORTFOLIO_POLL_MINUTES must be above 0');
  }
  const dataDir = resolve(parsed.COVENANT_DATA_DIR);
  // It holds approval links (caught mail), the link key and Temporal's database: this user only.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return {
    port: parsed.PORT,
    host: parsed.HOST,
    ...(parsed.PUBLIC_URL ? { publicUrl: parsed.PUBLIC_URL } : {}),
    dataDir,
    ...(parsed.TEMPORAL_ADDRESS ? { temporalAddress: parsed.TEMPORAL_ADDRESS } : {}),
    ...(parsed.DATABASE_URL ? { databaseUrl: parsed.DATABASE_URL } : {}),
    postgresPort: parsed.POSTGRES_PORT,
    temporalNamespace: parsed.TEMPORAL_NAMESPACE,
    ...(tls ? { temporalTls: tls } : {}),
    ...(parsed.TEMPORAL_API_KEY ? { temporalApiKey: parsed.TEMPORAL_API_KEY } : {}),
    taskQueue: parsed.TEMPORAL_TASK_QUEUE,
    temporalDevPort: parsed.TEMPORAL_DEV_PORT,
    temporalUiPort: parsed.TEMPORAL_UI_PORT,
    ...(parsed.SMTP_URL ? { smtpUrl: parsed.SMTP_URL } : {}),
    smtpCatcherPort: parsed.SMTP_CATCHER_PORT,
    mailFrom: parsed.MAIL_FROM,
    ...(parsed.COVENANT_LINK_SECRET ? { linkSecret: parsed.COVENANT_LINK_SECRET } : {}),
    ...(parsed.COVENANT_CATEGORIES
      ? {
          categories: [
            ...new Set(
              parsed.COVENANT_CATEGORIES.split(',')
                .map((c) => c.trim())
                .filter(Boolean),
            ),
          ],
        }
      : {}),
    portfolio: {
      schedule: parsed.COVENANT_PORTFOLIO_SCHEDULE === 'off' ? null : parsed.COVENANT_PORTFOLIO_SCHEDULE,
      timeZone: parsed.COVENANT_TIME_ZONE,
      cutoffDays: Number(parsed.COVENANT_PORTFOLIO_CUTOFF_DAYS),
      annualCutoffDays: Number(parsed.COVENANT_PORTFOLIO_ANNUAL_CUTOFF_DAYS),
      pollMinutes: Number(parsed.COVENANT_PORTFOLIO_POLL_MINUTES),
      office: parsed.COVENANT_OFFICE_EMAIL
        ? [...new Set(parsed.COVENANT_OFFICE_EMAIL.split(',').map((e) => e.trim().toLowerCase()))]
        : [],
    },
    rateLimits: {
      approvalsPerMinute: parsed.COVENANT_APPROVAL_RATE_LIMIT,
      apiPerMinute: parsed.COVENANT_API_RATE_LIMIT,
    },
    pdfPages: parsed.COVENANT_PDF_PAGES,
    adminEmail: parsed.COVENANT_ADMIN_EMAIL.toLowerCase(),
    fourEyes: parsed.COVENANT_RULESET_FOUR_EYES === 'on',
    ...(oidc ? { oidc } : {}),
    worker: {
      memoryMb: parsed.COVENANT_WORKER_MEMORY_MB,
      cachedContracts: parsed.COVENANT_WORKER_CACHE ?? cacheForMemory(parsed.COVENANT_WORKER_MEMORY_MB),
      workflowTasks: parsed.COVENANT_WORKER_TASKS,
      activities: parsed.COVENANT_WORKER_ACTIVITIES,
    },
  };
}

/**
 * Why an existing data folder is exposed to other users of the machine, or undefined when it is not:
 * Covenant makes it 0700, but a folder made beforehand keeps its own mode.
 */
export function dataDirExposure(dataDir: string): string | undefined {
  const mode = statSync(dataDir).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  return `the data folder ${dataDir} can be read by other users of this machine (mode ${mode.toString(8)}); it holds caught mail with approval links, the link key and Temporal's database: chmod 700 it`;
}

/** A file a variable names (a certificate, a key), read at start; a missing one names the variable. */
function readSetting(name: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(
      `Invalid configuration: ${name} names ${path}, which cannot be read (${(err as Error).message})`,
    );
  }
}

/** Single sign-on: all three of OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, or none. */
function oidcSettings(parsed: Env): OidcSettings | undefined {
  const given = (['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const).filter((k) => parsed[k]);
  if (given.length === 0) return undefined;
  if (given.length < 3) {
    throw new Error(
      `Invalid configuration: single sign-on needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET; only ${given.join(', ')} given`,
    );
  }
  const issuer = new URL(parsed.OIDC_ISSUER!);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
  if (issuer.protocol !== 'https:' && !loopback) {
    throw new Error(
      'Invalid configuration: OIDC_ISSUER must be an https:// address (http:// only on this machine)',
    );
  }
  return {
    issuer: parsed.OIDC_ISSUER!,
    clientId: parsed.OIDC_CLIENT_ID!,
    clientSecret: parsed.OIDC_CLIENT_SECRET!,
    name: parsed.OIDC_NAME,
  };
}
