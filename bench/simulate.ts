// What-if simulation on a national portfolio, measured in one run: 50,000 contracts x 30 indicators
// x 4 quarters from a deterministic generator, scored "as reviewed" by the default rule set, then
// re-scored by a draft (default with stricter bands), by percent and by threshold. Prints the time
// and contracts per second of each pass, and the ratio to scoring the same periods one by one with
// scorePeriod (the review's own path). Exits non-zero if the two ever disagree.
// Run on one core: taskset -c 0 npx tsx bench/simulate.ts   (or without taskset: JavaScript runs on one thread)
import type { Indicator } from '../model/contract.js';
import type { RuleSet } from '../model/ruleset.js';
import { findBuiltInRuleSet } from '../rules/library/index.js';
import { scorePeriod } from '../rules/scoring.js';
import {
  simulate,
  type SimulationContract,
  type SimulationPeriod,
  type SimulationResult,
} from '../rules/simulate.js';

const CONTRACTS = Number(process.env.BENCH_CONTRACTS ?? 50_000);
const INDICATORS = 30;
const QUARTERS = ['Q1', 'Q2', 'Q3', 'Q4'];
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

/** A portfolio from a seeded generator: the same numbers on every run and every machine. */
function generatePortfolio(count: number): SimulationContract[] {
  const random = mulberry32(2027);
  const names = Array.from({ length: INDICATORS }, (_, i) => `Indicator ${i + 1}`);
  // Weights sum to 100: ten indicators of 4, twenty of 3.
  const weights = Array.from({ length: INDICATORS }, (_, i) => (i < 10 ? 4 : 3));
  const contracts: SimulationContract[] = [];
  for (let c = 0; c < count; c++) {
    const indicators: Indicator[] = [];
    for (let i = 0; i < INDICATORS; i++) {
      const lower = random() < 0.3;
      const baseline = Math.round(20 + random() * 180);
      const step = Math.max(1, Math.round(baseline * (0.05 + random() * 0.15)));
      indicators.push({
        id: `k${i}`,
        name: names[i]!,
        direction: lower ? 'lower' : 'higher',
        baseline,
        target: lower ? baseline - step : baseline + step,
        weight: weights[i]!,
      });
    }
    // A unit's quality drifts around a level of its own: most land near their targets.
    const level = random() * 1.4 - 0.2;
    const periods: SimulationPeriod[] = QUARTERS.map((id) => {
      const actuals: Record<string, number | null> = {};
      for (const indicator of indicators) {
        if (random() < 0.03) {
          actuals[indicator.id] = null;
          continue;
        }
        const progress = level + (random() - 0.5) * 0.8;
        actuals[indicator.id] =
          Math.round((indicator.baseline + (indicator.target - indicator.baseline) * progress) * 10) / 10;
      }
      return { id, indicators, actuals };
    });
    contracts.push({ id: `PC-${c}`, periods });
  }
  return contracts;
}

/** The performance office's draft: default with every band 0.2 stricter. */
function stricterBands(ruleSet: RuleSet): RuleSet {
  const bands: [number, string][] = [
    [2.2, 'Excellent'],
    [2.8, 'Very Good'],
    [3.4, 'Good'],
    [3.8, 'Fair'],
  ];
  const grade = {
    if: [...bands.flatMap(([limit, name]) => [{ '<=': [{ var: 'composite' }, limit] }, name]), 'Poor'],
  };
  return { ...ruleSet, scoring: { ...ruleSet.scoring, grade } };
}

function builtIn(id: string): RuleSet {
  const ruleSet = findBuiltInRuleSet(id, 1);
  if (!ruleSet) throw new Error(`No built-in rule set ${id}`);
  return ruleSet;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
