// The quarter-end storm, measured in one run: N back-dated contracts are created and signed through
// their emailed links, then every Q1 report is posted at once through the API. Printed: the time of
// each phase, reviews per second, API latency (p50, p99), CPU and memory per process, workflow
// history events per contract, and, in the same run on the same Temporal and PostgreSQL, the ratio
// to a bare Temporal workflow doing the same work (one Update, a stored document, an email, a
// search attribute). Then the read model is filled to 50,000 contracts and the list, a contract and
// an approval page are timed.
//   npm run bench:storm -- --contracts 1000
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { Mailer } from '../activities/mailer.js';
import { loadConfig } from '../cli/config.js';
import { ensureDatabase } from '../cli/database.js';
import { startEmbeddedPostgres } from '../cli/embedded-postgres.js';
import { startStack } from '../cli/stack.js';
import { projectRoot, temporalCliPath } from '../cli/temporal-binaries.js';
import { installRuntime } from '../cli/temporal-connection.js';
import { startDevServer } from '../cli/temporal-dev-server.js';
import { addDays, addMonths, formatDate } from '../model/calendar.js';
import type { ContractInput } from '../model/contract.js';
import { issueToken } from '../server/auth/api-tokens.js';
import { PgBlobStore } from '../store/blobs.js';
import { startMailCatcher } from '../server/mail-catcher.js';
import { CaughtMailStore, PgSentMailRecord } from '../store/mail.js';
import { Templates } from '../templates/index.js';
import { freePort } from '../test/support/ports.js';
import { createBaselineActivities } from './baseline/activities.js';
import { reportUpdate } from './baseline/workflow.js';

const { values: args } = parseArgs({
  options: {
    contracts: { type: 'string', default: '200' },
    'read-model': { type: 'string', default: '50000' },
    // Writes a CPU profile of this process's main thread during the storm to the file named.
    profile: { type: 'string' },
    // Runs the worker as `covenant worker` in a process of its own (the API and the mail catcher
    // stay in this one), so that the worker's own CPU and memory are measured.
    'worker-process': { type: 'boolean', default: false },
    // COVENANT_WORKER_MEMORY_MB of the worker (its cache is sized from it); the platform's default if unset.
    'worker-memory': { type: 'string' },
  },
});
const N = Number(args.contracts);
const READ_MODEL_ROWS = Number(args['read-model']);
const CONCURRENCY = 32;

async function main(): Promise<void> {
  installRuntime();
  const dir = mkdtempSync(join(tmpdir(), 'covenant-storm-'));
  const port = (p: number) => String(p);
  const temporal = await startDevServer({
    binary: temporalCliPath()!,
    dataDir: join(dir, 'temporal'),
    port: 17233 + (process.pid % 1000),
    namespace: 'default',
    ephemeral: true,
  });
  const postgres = await startEmbeddedPostgres({
    dataDir: join(dir, 'postgres'),
    port: 15433 + (process.pid % 1000),
    passwordFile: join(dir, 'postgres-password'),
    logFile: join(dir, 'postgres.log'),
  });
  const env: Record<string, string> = {
    COVENANT_DATA_DIR: join(dir, 'data'),
    TEMPORAL_ADDRESS: temporal.address,
    DATABASE_URL: await ensureDatabase(postgres.adminUrl, 'covenant'),
    TEMPORAL_TASK_QUEUE: 'storm',
    COVENANT_API_RATE_LIMIT: port(10_000_000),
    COVENANT_APPROVAL_RATE_LIMIT: port(10_000_000),
    COVENANT_LINK_SECRET: randomBytes(32).toString('base64url'),
    ...(args['worker-memory'] ? { COVENANT_WORKER_MEMORY_MB: args['worker-memory'] } : {}),
  };
  const split = args['worker-process'];
  const apiPort = split ? await freePort() : 0;
  const config = loadConfig({
    ...env,
    PORT: String(apiPort),
    SMTP_CATCHER_PORT: split ? String(await freePort()) : '0',
  });
  const stack = await startStack(config, split ? { role: 'api' } : {});
  const catcher = split
    ? await startMailCatcher(new CaughtMailStore(stack.database), config.smtpCatcherPort)
    : undefined;
  const worker = split
    ? await startWorkerProcess({
        ...env,
        SMTP_CATCHER_PORT: String(config.smtpCatcherPort),
        PUBLIC_URL: `http://localhost:${apiPort}`,
      })
    : undefined;
  const token = (await issueToken(stack.tokens, { role: 'admin', name: 'storm' })).token;
  console.log(
    `worker: ${split ? 'a process of its own' : 'in this process'}, ${config.worker.memoryMb} MB, caching ${config.worker.cachedContracts} contracts`,
  );
  const processes: Record<string, number> = {
    covenant: process.pid,
    ...(worker ? { worker: worker.pid! } : {}),
    temporal: Number(readFileSync(join(dir, 'temporal', 'temporal.pid'), 'utf8')),
    postgres: Number(readFileSync(join(dir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]),
  };
  const api = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; ms: number; json: unknown }> => {
    const started = performance.now();
    const response = await fetch(stack.urls.app + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      ms: performance.now() - started,
      json: text.startsWith('{') ? JSON.parse(text) : text,
    };
  };
  const decide = async (link: string) => {
    const page = await fetch(link);
    const html = await page.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
    const cookie = page.headers.getSetCookie()[0]?.split(';')[0];
    if (!csrf || !cookie) throw new Error(`no decision form at ${link} (${page.status})`);
    const posted = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ decision: 'approve', csrf }).toString(),
    });
    if (posted.status !== 200) throw new Error(`decision refused: ${posted.status}`);
  };
  const links = async (subject: string): Promise<Map<string, string[]>> => {
    const { rows } = await stack.database.query<{ subject: string; text_body: string }>(
      'select subject, text_body from caught_mail where subject like $1',
      [`%: ${subject}`],
    );
    const found = new Map<string, string[]>();
    for (const r of rows) {
      const id = r.subject.slice(0, r.subject.indexOf(':'));
      const link = /https?:\/\/\S+\/approvals\/[A-Za-z0-9_.-]+/.exec(r.text_body)?.[0];
      if (link) found.set(id, [...(found.get(id) ?? []), link]);
    }
    return found;
  };
  const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 60 * 60_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const count = async (sql: string, values: unknown[] = []) =>
    Number((await stack.database.query<{ n: string }>(sql, values)).rows[0]!.n);

  // 1. N back-dated contracts, created and signed through their links.
  const example = JSON.parse(
    readFileSync(join(projectRoot, 'examples', 'county-health-2027.json'), 'utf8'),
  ) as ContractInput;
  // The quarter just ended: Q1 is over and due in 45 days, so no reminder is due during the storm.
  const begin = addMonths(formatDate(Date.now()).slice(0, 8) + '01', -3);
  const contracts = Array.from({ length: N }, (_, i) => ({
    ...example,
    id: `STORM-${String(i).padStart(6, '0')}`,
    period: {
      start: begin,
      end: addDays(addMonths(begin, 12), -1),
      reporting: 'quarterly' as const,
      reportDueDays: 45,
    },
  }));
  let started = performance.now();
  await pool(contracts, async (c) => {
    const created = await api('POST', '/api/v1/contracts', c);
    if (created.status !== 201)
      throw new Error(`create ${c.id}: ${created.status} ${JSON.stringify(created.json)}`);
  });
  const createdIn = seconds(started);
  started = performance.now();
  await until('agreement requests', async () => (await links('please agree to revision 1')).size >= N);
  const firstMailIn = seconds(started);
  // Each contract's first email, from the moment its workflow started.
  const { rows: delays } = await stack.database.query<{ p50: number; p99: number; max: number }>(
    `select percentile_cont(0.5) within group (order by d) as p50, percentile_cont(0.99) within group (order by d) as p99,
            max(d) as max
       from (select extract(epoch from min(m.received_at) - c.created_at)::float8 as d
               from contracts c join caught_mail m on m.subject = c.id || ': please agree to revision 1'
              where c.id like 'STORM-%' group by c.id, c.created_at) delays`,
  );
  const firstMail = delays[0]!;
  await pool([...(await links('please agree to revision 1')).values()], (l) => decide(l[0]!));
  await until(
    'signing requests',
    async () =>
      [...(await links('please sign revision 1')).values()].filter((l) => l.length === 2).length >= N,
  );
  await pool([...(await links('please sign revision 1')).values()].flat(), decide);
  await until(
    'every contract active',
    async () => (await count("select count(*) as n from contracts where stage = 'active'")) >= N,
  );
  const signedIn = seconds(started);
  console.log(
    `${N} contracts: created in ${createdIn} s (the last "please agree" email ${firstMailIn} s after; from each contract's start to its email p50 ${firstMail.p50.toFixed(1)} s, p99 ${firstMail.p99.toFixed(1)} s, max ${firstMail.max.toFixed(1)} s), agreed and signed through 3 links each in ${signedIn} s`,
  );

  // 2. The storm: every Q1 report at once.
  const actuals = Object.fromEntries(example.indicators.map((i) => [i.id, i.target]));
  const before = usage(processes);
  const threadsBefore = threadTicks();
  const profiler = args.profile ? await startProfile() : undefined;
  started = performance.now();
  const latencies: number[] = [];
  await pool(
    contracts,
    async (c) => {
      const answer = await api('POST', `/api/v1/contracts/${c.id}/reports`, { period: 'Q1', actuals });
      if (answer.status !== 200) throw new Error(`report ${c.id}: ${answer.status}`);
      latencies.push(answer.ms);
    },
    64,
  );
  await until(
    'every Q1 review',
    async () =>
      (await count(
        "select count(*) as n from contract_periods where period = 'Q1' and reviewed_at is not null",
      )) >= N,
  );
  await until(
    'every review email',
    async () =>
      (await count("select count(*) as n from caught_mail where subject like '%: Q1 review%'")) >= N,
  );
  const stormSeconds = (performance.now() - started) / 1000;
  const covenantUse = delta(before, usage(processes));
  const threadUse = threadsAfter(threadsBefore);
  if (profiler) await profiler.stop(args.profile!);
  const events = await historyLengths(
    stack.client,
    contracts.slice(0, 20).map((c) => c.id),
  );
  console.log(
    `storm: ${N} reviews in ${stormSeconds.toFixed(1)} s (${(N / stormSeconds).toFixed(1)} reviews/s); report API p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms`,
  );
  printUsage('  CPU and memory during the storm', covenantUse, N);
  console.log(
    `  Covenant's CPU by thread, ms per review: ${threadUse.map(([name, ms]) => `${name} ${(ms / N).toFixed(1)}`).join(', ')}`,
  );
  console.log(`  workflow history: ${events} events per contract so far (creation to Q1 review)`);
  console.log(`  the Q1 review of one contract: ${await reviewEvents(stack.client, contracts[0]!.id)}`);

  // 3. The bare workflow, same Temporal, same PostgreSQL, same catcher, same number.
  const connection = await NativeConnection.connect({ address: temporal.address });
  const mailer = new Mailer(stack.urls.smtp, 'Baseline <b@localhost>', new PgSentMailRecord(stack.database));
  const baselineWorker = await Worker.create({
    connection,
    taskQueue: 'storm-baseline',
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: join(projectRoot, 'bench', 'baseline', 'workflow.ts'),
      logger: quiet,
    }),
    activities: createBaselineActivities({
      documents: new PgBlobStore(stack.database),
      mailer,
      templates: new Templates(join(projectRoot, 'templates')),
    }),
  });
  const baselineRun = baselineWorker.run();
  const client = stack.client;
  await pool(contracts, (c) =>
    client.workflow
      .start('baselineReviewWorkflow', {
        workflowId: `BASE-${c.id}`,
        taskQueue: 'storm-baseline',
        args: [c.id],
      })
      .then(() => {}),
  );
  const baseBefore = usage(processes);
  started = performance.now();
  await pool(
    contracts,
    (c) =>
      client.workflow
        .getHandle(`BASE-${c.id}`)
        .executeUpdate(reportUpdate, { args: [{ actuals }] })
        .then(() => {}),
    64,
  );
  await pool(contracts, (c) => client.workflow.getHandle(`BASE-${c.id}`).result(), 64);
  const baseSeconds = (performance.now() - started) / 1000;
  const baseUse = delta(baseBefore, usage(processes));
  const baseEvents = await historyLengths(
    client,
    contracts.slice(0, 20).map((c) => `BASE-${c.id}`),
  );
  console.log(
    `bare workflow: ${N} reviews in ${baseSeconds.toFixed(1)} s (${(N / baseSeconds).toFixed(1)} reviews/s), ${baseEvents} events each; its review: ${await reviewEvents(client, `BASE-${contracts[0]!.id}`)}`,
  );
  printUsage('  CPU and memory', baseUse, N);
  const cpu = (u: Usage) => Object.values(u).reduce((sum, p) => sum + p.cpuMs, 0);
  console.log(
    `ratio, Covenant to the bare workflow: CPU ${(cpu(covenantUse) / cpu(baseUse)).toFixed(2)}x (all processes), wall ${(stormSeconds / baseSeconds).toFixed(2)}x`,
  );
  baselineWorker.shutdown();
  await baselineRun;
  mailer.close();
  await connection.close();

  // 4. The read model at a national scale: copies of a projected contract up to READ_MODEL_ROWS.
  const existing = await count('select count(*) as n from contracts');
  await stack.database.query(
    `insert into contracts (id, version, title, stage, year, unit_name, unit_signatory, principal_name, managers,
       rule_set_id, rule_set_version, period_start, period_end, current_period, score, grade, next_due, late,
       created_at, state, figures, simulated_periods)
     select 'COPY-' || lpad(g::text, 6, '0'), version, title, stage, year, unit_name || ' ' || (g % 500), unit_signatory,
       principal_name, managers, rule_set_id, rule_set_version, period_start, period_end, current_period, score,
       grade, next_due, late, created_at, state, figures, simulated_periods
       from contracts, generate_series(1, $1) g where id = $2`,
    [Math.max(0, READ_MODEL_ROWS - existing), contracts[0]!.id],
  );
  await stack.database.query('analyze contracts');
  const rows = await count('select count(*) as n from contracts');
  const agree = contracts[N - 1]!;
  const timedGets = async (path: () => string, times = 200) => {
    const ms: number[] = [];
    for (let i = 0; i < times; i++) {
      const r = await api('GET', path());
      if (r.status !== 200) throw new Error(`${path()}: ${r.status}`);
      ms.push(r.ms);
    }
    return `p50 ${percentile(ms, 50)} ms, p99 ${percentile(ms, 99)} ms`;
  };
  const list = await timedGets(
    () =>
      `/api/v1/contracts?stage=active&limit=100&cursor=COPY-${String(Math.floor(Math.random() * rows)).padStart(6, '0')}`,
  );
  const one = await timedGets(
    () =>
      `/api/v1/contracts/COPY-${String(1 + Math.floor(Math.random() * (rows - existing - 1))).padStart(6, '0')}`,
  );
  const manager = await timedGets(() => `/api/v1/contracts?limit=100`);
  // An approval page: a contract awaiting its agreement.
  const waiting = { ...agree, id: 'STORM-WAITING' };
  if ((await api('POST', '/api/v1/contracts', waiting)).status !== 201)
    throw new Error('create STORM-WAITING');
  await until('its agreement request', async () =>
    (await links('please agree to revision 1')).has(waiting.id),
  );
  const link = (await links('please agree to revision 1')).get(waiting.id)![0]!;
  const pageMs: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    const page = await fetch(link);
    await page.text();
    if (page.status !== 200) throw new Error(`approval page: ${page.status}`);
    pageMs.push(performance.now() - t);
  }
  console.log(
    `read model with ${rows.toLocaleString('en')} contracts: a list page ${list}; the first page ${manager}; one contract ${one}; an approval page p50 ${percentile(pageMs, 50)} ms, p99 ${percentile(pageMs, 99)} ms`,
  );

  if (worker) {
    const peak = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${worker.pid}/status`, 'utf8'))?.[1] ?? '0';
    console.log(`the worker's process: peak RSS ${(Number(peak) / 1024).toFixed(0)} MB over the run`);
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
  }
  await stack.stop();
  await catcher?.close();
  await temporal.stop();
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** `covenant worker` in a process of its own, once it says it is running. */
async function startWorkerProcess(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(projectRoot, 'cli', 'covenant.ts'), 'worker'],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('is running')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`covenant worker exited (${code}): ${out}`)));
  });
  child.stdout.resume();
  return child;
}

/** CPU ticks so far of each of this process's threads, by thread id, with its name. */
function threadTicks(): Map<string, { name: string; ticks: number }> {
  const threads = new Map<string, { name: string; ticks: number }>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      threads.set(tid, { name, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // ended meanwhile
    }
  }
  return threads;
}

/** CPU ms of this process's threads since `before`, summed by thread name, largest first. */
function threadsAfter(before: Map<string, { name: string; ticks: number }>): [string, number][] {
  const byName = new Map<string, number>();
  for (const [tid, { name, ticks }] of threadTicks()) {
    const used = (ticks - (before.get(tid)?.ticks ?? 0)) * 10;
    byName.set(name, (byName.get(name) ?? 0) + used);
  }
  return [...byName].filter(([, ms]) => ms > 0).sort((a, b) => b[1] - a[1]);
}

/** A CPU profile of the main thread, written as a .cpuprofile file (Chrome DevTools reads it). */
async function startProfile(): Promise<{ stop(file: string): Promise<void> }> {
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, (err, result) => (err ? reject(err) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/** Runs `work` over `items`, `limit` at a time. */
async function pool<T>(
  items: readonly T[],
  work: (item: T) => Promise<unknown>,
  limit = CONCURRENCY,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

interface ProcessUse {
  cpuMs: number;
  rssMb: number;
}
/** By process: covenant (this one), worker (when apart), temporal, postgres. */
type Usage = Record<string, ProcessUse>;

/** CPU time so far and memory now of each process, with its children (PostgreSQL's backends). */
function usage(pids: Record<string, number>): Usage {
  const stats = readdirSync('/proc')
    .filter((f) => /^\d+$/.test(f))
    .flatMap((pid) => {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '0';
        return [
          {
            pid: Number(pid),
            ppid: Number(fields[1]),
            ticks: Number(fields[11]) + Number(fields[12]),
            // Time of its children that exited: PostgreSQL's backends come and go, and their time
            // moves into the postmaster's when they end.
            reaped: Number(fields[13]) + Number(fields[14]),
            rssKb: Number(rss),
          },
        ];
      } catch {
        return []; // gone meanwhile
      }
    });
  // Temporal, PostgreSQL and the worker are children of this process too: each counted on its own.
  const apart = new Set(Object.entries(pids).flatMap(([k, pid]) => (k === 'covenant' ? [] : [pid])));
  const of = (root: number): ProcessUse => {
    const tree = stats.filter((s) => s.pid === root || (s.ppid === root && !apart.has(s.pid)));
    const reaped = stats.find((s) => s.pid === root)?.reaped ?? 0;
    return {
      cpuMs: (tree.reduce((sum, s) => sum + s.ticks, 0) + reaped) * 10,
      rssMb: tree.reduce((sum, s) => sum + s.rssKb, 0) / 1024,
    };
  };
  return Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, of(pid)]));
}

function delta(before: Usage, after: Usage): Usage {
  return Object.fromEntries(
    Object.entries(after).map(([k, a]) => [k, { cpuMs: a.cpuMs - before[k]!.cpuMs, rssMb: a.rssMb }]),
  );
}

function printUsage(title: string, use: Usage, reviews: number): void {
  const line = ([k, u]: [string, ProcessUse]) =>
    `${k} ${(u.cpuMs / 1000).toFixed(1)} s CPU (${(u.cpuMs / reviews).toFixed(1)} ms/review), RSS ${u.rssMb.toFixed(0)} MB`;
  console.log(`${title}: ${Object.entries(use).map(line).join('; ')} (postgres with its backends)`);
}

async function historyLengths(client: Client, ids: string[]): Promise<number> {
  let total = 0;
  for (const id of ids) total += (await client.workflow.getHandle(id).describe()).historyLength;
  return Math.round(total / ids.length);
}

/**
 * The events of a contract's Q1 review (from the report's Update on), in order, with the number of
 * each kind, most frequent first.
 */
async function reviewEvents(client: Client, id: string): Promise<string> {
  const history = await client.workflow.getHandle(id).fetchHistory();
  const name = (t: unknown) =>
    String(typeof t === 'number' ? proto.temporal.api.enums.v1.EventType[t] : t)
      .replace('EVENT_TYPE_', '')
      .toLowerCase();
  const events = history.events ?? [];
  const accepted = events.map((e) => name(e.eventType)).lastIndexOf('workflow_execution_update_accepted');
  const review = events.slice(accepted);
  const counts = new Map<string, number>();
  for (const event of review) {
    const activity = event.activityTaskScheduledEventAttributes?.activityType?.name;
    const kind = name(event.eventType) + (activity ? ` ${activity}` : '');
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return `${review.length} events: ${[...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n} ${k}`)
    .join(', ')}`;
}

function percentile(values: number[], p: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(1);
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

const quiet = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error: (m: string) => console.error(m),
};

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
