// A draft simulated over the portfolio as the API runs it: each contract's figures are read from the
// read model (PostgreSQL's `contracts.figures`), then decoded and scored in the rule-runner threads,
// a share each. The portfolio is the seeded one of bench/simulate.ts (50,000 contracts x 30
// indicators x 4 quarters), written into a real PostgreSQL first. Prints the time of the read, of
// the threads' work, and of both.
//   npm run bench:simulate:read-model -- --contracts 50000
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureDatabase } from '../cli/database.js';
import { startEmbeddedPostgres } from '../cli/embedded-postgres.js';
import { encodeFigures } from '../rules/simulation-figures.js';
import { simulatedPortfolio } from '../server/portfolio.js';
import { RuleRunner } from '../server/rule-runner/index.js';
import { openDatabase } from '../store/database.js';
import { ReadModel } from '../store/read-model.js';
import { builtIn, generatePortfolio, INDICATORS, QUARTERS, stricterBands } from './fixtures/portfolio.js';

const { values: args } = parseArgs({ options: { contracts: { type: 'string', default: '50000' } } });
const N = Number(args.contracts);

const dir = mkdtempSync(join(tmpdir(), 'covenant-simulate-'));
const postgres = await startEmbeddedPostgres({
  dataDir: join(dir, 'postgres'),
  port: 16433 + (process.pid % 1000),
  passwordFile: join(dir, 'postgres-password'),
  logFile: join(dir, 'postgres.log'),
});
const database = await openDatabase(await ensureDatabase(postgres.adminUrl, 'covenant'));
try {
  const portfolio = generatePortfolio(N);
  let started = performance.now();
  const batch = 1000;
  for (let i = 0; i < portfolio.length; i += batch) {
    const slice = portfolio.slice(i, i + batch);
    await database.query(
      `insert into contracts (id, version, title, stage, year, unit_name, unit_signatory, principal_name, managers,
         rule_set_id, rule_set_version, period_start, period_end, late, created_at, state, figures, simulated_periods)
       select id, 1, id, 'active', 2027, 'Unit ' || id, 'head@unit.example', 'Principal', '{}', 'default', 1,
         '2027-01-01', '2027-12-31', false, now(), '{}', figures, periods
         from jsonb_to_recordset($1::jsonb) as t(id text, figures text, periods int)`,
      [
        JSON.stringify(
          slice.map((c) => ({ id: c.id, figures: encodeFigures(c), periods: c.periods.length })),
        ),
      ],
    );
  }
  await database.query('vacuum analyze contracts');
  const { rows } = await database.query<{ size: string }>(
    "select pg_size_pretty(pg_total_relation_size('contracts')) as size",
  );
  console.log(
    `${N.toLocaleString('en')} contracts x ${INDICATORS} indicators x ${QUARTERS.length} quarters written in ${seconds(started)} s (${rows[0]!.size})`,
  );

  const draft = stricterBands(builtIn('default'));
  const readModel = new ReadModel(database);
  const runner = new RuleRunner();
  try {
    for (let round = 1; round <= 3; round++) {
      started = performance.now();
      const portfolio = await simulatedPortfolio(readModel);
      const read = seconds(started);
      const scoring = performance.now();
      const result = await runner.simulate(draft, portfolio, {}, { offset: 0, limit: 200 }, '');
      console.log(
        `round ${round}: listed ${portfolio.contracts.length.toLocaleString('en')} contracts in ${read} s, read, decoded and scored in ${seconds(scoring)} s, ` +
          `${seconds(started)} s in all (${result.summary.periods.toLocaleString('en')} periods, ${result.summary.gradesChanged.toLocaleString('en')} grades changed)`,
      );
    }
    // The annual evaluation of every year (each is complete: four quarters reported).
    for (let round = 1; round <= 2; round++) {
      started = performance.now();
      const portfolio = await simulatedPortfolio(readModel);
      const result = await runner.simulate(draft, portfolio, { of: 'year' }, { offset: 0, limit: 200 }, '');
      console.log(
        `annual evaluation, round ${round}: ${seconds(started)} s in all (${result.summary.contracts.toLocaleString('en')} years, ${result.summary.gradesChanged.toLocaleString('en')} grades changed)`,
      );
    }
  } finally {
    await runner.close();
  }

  // After a start, the studio warms the threads up when the office opens a rule set: the first
  // what-if then finds the figures kept.
  const warmed = new RuleRunner();
  try {
    started = performance.now();
    await warmed.warm(() => simulatedPortfolio(readModel));
    const warm = seconds(started);
    started = performance.now();
    const result = await warmed.simulate(
      draft,
      await simulatedPortfolio(readModel),
      {},
      { offset: 0, limit: 200 },
      '',
    );
    console.log(
      `after a start: the warm-up took ${warm} s; the first simulation then ${seconds(started)} s (${result.summary.periods.toLocaleString('en')} periods)`,
    );
  } finally {
    await warmed.close();
  }
} finally {
  await database.close();
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(2);
}
