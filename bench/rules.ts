// Rule evaluation throughput, measured in one run: json-logic-js's apply, json-logic-engine's
// build(), Covenant's compiled engine, and hand-written JavaScript, on the same realistic rules and
// data. Prints ops/sec and the ratios; exits non-zero if any implementation disagrees on a result.
// Run: npx tsx bench/rules.ts
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import jsonLogic from 'json-logic-js';
import { LogicEngine } from 'json-logic-engine';
import { compile } from '../rules/engine/index.js';

interface Indicator {
  id: string;
  actual: number | null;
  target: number;
  weight: number;
  score: number;
}

interface Period {
  actual: number | null;
  best: number;
  worst: number;
  score: number;
  period: { final: boolean };
  indicators: Indicator[];
}

type Evaluator = (data: Period) => unknown;

const RULES = JSON.parse(
  readFileSync(fileURLToPath(new URL('./fixtures/rules.json', import.meta.url)), 'utf8'),
) as Record<string, { description: string; rule: unknown }>;

/** The same rules written by hand, as a programmer would without a rule engine. */
const HAND_WRITTEN: Record<string, Evaluator> = {
  score: (d) =>
    d.actual == null ? null : Math.max(1, Math.min(5, 5 - 4 * ((d.actual - d.best) / (d.worst - d.best)))),
  composite: (d) => {
    let weighted = 0;
    let weights = 0;
    for (const i of d.indicators) weighted += i.score * i.weight;
    for (const i of d.indicators) weights += i.weight;
    return weighted / weights;
  },
  grade: (d) =>
    d.score >= 4.5 ? 'A' : d.score >= 3.5 ? 'B' : d.score >= 2.5 ? 'C' : d.score >= 1.5 ? 'D' : 'E',
  escalation: (d) =>
    (d.score < 2.5 && d.period.final) ||
    d.indicators.some((i) => i.actual != null && i.actual < 0.5 * i.target),
  weights: (d) => d.indicators.reduce((sum, i) => sum + i.weight, 0) === 100,
};

const DATA = makeData(256);
const MEASURE_MS = 200;
const ROUNDS = 5;

async function run(): Promise<void> {
  const engine = new LogicEngine();
  const implementations: Record<string, (rule: unknown) => Evaluator> = {
    'json-logic-js apply':
      (rule) =>
      (d): unknown =>
        jsonLogic.apply(rule as jsonLogic.RulesLogic, d) as unknown,
    'json-logic-engine build': (rule) => engine.build(rule) as Evaluator,
    'covenant compiled': (rule) => compile(rule),
  };

  const rows: { rule: string; ops: Record<string, number> }[] = [];
  for (const [name, { rule }] of Object.entries(RULES)) {
    const evaluators: Record<string, Evaluator> = {};
    for (const [impl, make] of Object.entries(implementations)) evaluators[impl] = make(rule);
    evaluators['hand-written JS'] = HAND_WRITTEN[name]!;
    checkAgreement(name, evaluators);
    const ops: Record<string, number> = {};
    // Rounds interleave the implementations so that a slow moment of the machine hits them all.
    for (let round = 0; round < ROUNDS; round++) {
      for (const [impl, evaluate] of Object.entries(evaluators)) {
        ops[impl] = Math.max(ops[impl] ?? 0, opsPerSecond(evaluate));
      }
    }
    rows.push({ rule: name, ops });
  }

  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(12);
  const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`.padStart(8);
  console.log(
    `Rules over ${DATA.length} contract periods (30 indicators each); ops/sec = rule evaluations per CPU second\n`,
  );
  console.log(
    `${'rule'.padEnd(11)}${'jl-js'.padStart(12)}${'jl-engine'.padStart(12)}${'covenant'.padStart(12)}${'hand JS'.padStart(12)}   ours/engine  ours/jl-js  hand/ours`,
  );
  const ratios = { engine: [] as number[], js: [] as number[], hand: [] as number[] };
  for (const { rule, ops } of rows) {
    const js = ops['json-logic-js apply']!;
    const eng = ops['json-logic-engine build']!;
    const ours = ops['covenant compiled']!;
    const hand = ops['hand-written JS']!;
    ratios.engine.push(ours / eng);
    ratios.js.push(ours / js);
    ratios.hand.push(hand / ours);
    console.log(
      `${rule.padEnd(11)}${fmt(js)}${fmt(eng)}${fmt(ours)}${fmt(hand)}   ${ratio(ours, eng)}     ${ratio(ours, js)}  ${ratio(hand, ours)}`,
    );
  }
  const geo = (xs: number[]): number => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
  console.log(
    `\nGeometric mean: ours/engine build ${geo(ratios.engine).toFixed(2)}x (min ${Math.min(...ratios.engine).toFixed(2)}x), ` +
      `ours/json-logic-js ${geo(ratios.js).toFixed(2)}x, hand-written/ours ${geo(ratios.hand).toFixed(2)}x`,
  );
  await Promise.resolve();
}

/** Process CPU time, not wall time: other processes on a shared machine then barely skew the ratios. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function opsPerSecond(evaluate: Evaluator): number {
  let sink = 0;
  let runs = 0;
  const start = cpuMs();
  let elapsed = 0;
  while (elapsed < MEASURE_MS) {
    for (const d of DATA) if (evaluate(d) !== undefined) sink++;
    runs += DATA.length;
    elapsed = cpuMs() - start;
  }
  if (sink < 0) console.log(sink);
  return (runs / elapsed) * 1000;
}

function checkAgreement(name: string, evaluators: Record<string, Evaluator>): void {
  for (const d of DATA) {
    const results = Object.entries(evaluators).map(
      ([impl, evaluate]) => [impl, JSON.stringify(evaluate(d))] as const,
    );
    const [, expected] = results[0]!;
    for (const [impl, got] of results) {
      if (got !== expected) throw new Error(`rule ${name}: ${impl} gave ${got}, json-logic-js ${expected}`);
    }
  }
}

/** Deterministic data (a small LCG), some indicators without a reported value. */
function makeData(count: number): Period[] {
  let seed = 42;
  const next = (): number => {
    seed = (seed * 1664525 + 1013904223) % 4294967296;
    return seed / 4294967296;
  };
  return Array.from({ length: count }, () => {
    const weights: number[] = Array.from({ length: 30 }, (_, i) => (i < 20 ? 3 : 4));
    if (next() < 0.2) weights[0] = 2;
    return {
      actual: next() < 0.1 ? null : Math.round(next() * 200),
      best: 20,
      worst: 180,
      score: Math.round(next() * 50) / 10,
      period: { final: next() < 0.5 },
      indicators: weights.map((weight, i) => ({
        id: `KPI-${i + 1}`,
        actual: next() < 0.05 ? null : Math.round(next() * 100),
        target: 60 + Math.round(next() * 40),
        weight,
        score: 1 + Math.round(next() * 40) / 10,
      })),
    };
  });
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
