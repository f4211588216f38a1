// What-if simulation on a national portfolio, measured in one run: 50,000 contracts x 30 indicators
// x 4 quarters from a deterministic generator, scored "as reviewed" by the default rule set, then
// re-scored by a draft (default with stricter bands), by percent and by threshold. Prints the time
// and contracts per second of each pass, and the ratio to scoring the same periods one by one with
// scorePeriod (the review's own path). Exits non-zero if the two ever disagree.
// Run on one core: taskset -c 0 npx tsx bench/simulate.ts   (or without taskset: JavaScript runs on one thread)
import { scorePeriod } from '../rules/scoring.js';
import {
  simulate,
  type SimulationContract,
  type SimulationPeriod,
  type SimulationResult,
} from '../rules/simulate.js';
import { builtIn, generatePortfolio, INDICATORS, QUARTERS, stricterBands } from './fixtures/portfolio.js';

const CONTRACTS = Number(process.env.BENCH_CONTRACTS ?? 50_000);
/** Contracts scored with scorePeriod for the ratio: enough for a stable rate, few enough to wait for. */
const REFERENCE_CONTRACTS = 2_000;

function run(): void {
  const defaultRuleSet = builtIn('default');
  const draft = stricterBands(defaultRuleSet);

  let started = performance.now();
  const portfolio = generatePortfolio(CONTRACTS);
  console.log(
    `Generated ${CONTRACTS.toLocaleString('en')} contracts x ${INDICATORS} indicators x ${QUARTERS.length} quarters ` +
      `(${(CONTRACTS * INDICATORS * QUARTERS.length).toLocaleString('en')} actuals) in ${seconds(started)} s`,
  );

  // Warm the compiled rules and the scorer before timing anything.
  simulate(defaultRuleSet, portfolio.slice(0, 500));

  const reviewed = timed('as reviewed (default)', () => simulate(defaultRuleSet, portfolio));
  attachBefore(portfolio, reviewed.result);
  const passes = [
    timed('draft: default, stricter bands', () => simulate(draft, portfolio)),
    timed('percent', () => simulate(builtIn('percent'), portfolio)),
    timed('threshold', () => simulate(builtIn('threshold'), portfolio)),
  ];

  started = performance.now();
  const reference = portfolio.slice(0, REFERENCE_CONTRACTS);
  let disagreements = 0;
  reference.forEach((contract, c) => {
    contract.periods.forEach((period, p) => {
      const scored = scorePeriod(draft, [...period.indicators], { ...period.actuals }, period.id);
      const simulated = passes[0]!.result.contracts[c]?.periods[p]?.after;
      const escalations = scored.escalations.map((e) => e.id).join();
      if (
        simulated?.score !== scored.score ||
        simulated.grade !== scored.grade ||
        simulated.escalations.join() !== escalations
      )
        disagreements++;
    });
  });
  const referenceSeconds = (performance.now() - started) / 1000;
  const referenceRate = REFERENCE_CONTRACTS / referenceSeconds;

  console.log('');
  console.log('pass                              seconds   contracts/s   indicator scores/s');
  for (const pass of [reviewed, ...passes]) {
    const rate = CONTRACTS / pass.seconds;
    console.log(
      `${pass.name.padEnd(32)} ${pass.seconds.toFixed(2).padStart(8)} ${Math.round(rate).toLocaleString('en').padStart(13)} ` +
        `${Math.round(rate * INDICATORS * QUARTERS.length)
          .toLocaleString('en')
          .padStart(20)}`,
    );
  }
  const draftPass = passes[0]!;
  const { summary } = draftPass.result;
  console.log('');
  console.log(
    `Draft vs as reviewed: ${summary.periods.toLocaleString('en')} periods, ${summary.gradesChanged.toLocaleString('en')} grades changed ` +
      `(better ${summary.better}, worse ${summary.worse}), escalations changed in ${summary.escalationsChanged.toLocaleString('en')}, failed ${summary.failed}`,
  );
  console.log(`Grades before: ${JSON.stringify(summary.grades.before)}`);
  console.log(`Grades after:  ${JSON.stringify(summary.grades.after)}`);
  console.log(
    `scorePeriod one period at a time (first ${REFERENCE_CONTRACTS.toLocaleString('en')} contracts): ` +
      `${Math.round(referenceRate).toLocaleString('en')} contracts/s; simulate is ${(CONTRACTS / draftPass.seconds / referenceRate).toFixed(1)}x faster`,
  );
  if (disagreements > 0) {
    console.error(`${disagreements} periods scored differently by simulate and scorePeriod`);
    process.exit(1);
  }
  console.log(
    `Total for the draft on ${CONTRACTS.toLocaleString('en')} contracts: ${draftPass.seconds.toFixed(2)} s`,
  );
}

interface Pass {
  name: string;
  seconds: number;
  result: SimulationResult;
}

function timed(name: string, fn: () => SimulationResult): Pass {
  const started = performance.now();
  const result = fn();
  return { name, seconds: (performance.now() - started) / 1000, result };
}

/** The first pass's outcomes become each period's "as reviewed", as stored reviews would be. */
function attachBefore(portfolio: SimulationContract[], reviewed: SimulationResult): void {
  reviewed.contracts.forEach((contract, i) => {
    const periods = portfolio[i]!.periods as SimulationPeriod[];
    contract.periods.forEach((p, j) => {
      if (p.after) periods[j]!.before = p.after;
    });
  });
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(2);
}

try {
  run();
} catch (err) {
  console.error(err);
  process.exit(1);
}
