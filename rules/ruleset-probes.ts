// Probes: every rule of a rule set run on generated inputs of its slot (indicators higher and
// lower is better, actuals missing, zero, at the baseline, at the target and beyond), checked for
// the type its slot must return and for the work it does. A rule that passes its own test cases but
// returns null for a missing figure, a grade name too long to keep, or builds large arrays on
// ordinary data would break reviews of real contracts; probing finds it before it is published.
import type { Indicator } from '../model/contract.js';
import { peersOf, trend } from './targets.js';
import { compile, RuleError, withWorkLimit } from './engine/index.js';
import { declaredCriteria, slotsOf, type Slot } from './ruleset-slots.js';
import { MAX_GRADE_LENGTH } from './scoring.js';

export interface ProbeFinding {
  pointer: string;
  message: string;
}

/**
 * Work one rule may do on ordinary data: a twentieth of the engine's limit, so that a review of a
 * contract with a hundred indicators stays well inside a workflow task's time.
 */
export const PROBE_WORK = 1_000_000;

/** Each rule's first failure on the probe inputs; nothing for a rule set whose rules all behave. */
export function probeRuleSet(document: unknown): ProbeFinding[] {
  const criteria = declaredCriteria(document) ?? [];
  const slots = slotsOf(document);
  const findings: ProbeFinding[] = [];
  const indicatorRule = slots.find((s) => s.kind === 'indicator');
  const compositeRule = slots.find((s) => s.kind === 'composite');
  const samples = sampleIndicators(criteria);

  // The inputs of the later slots come from the earlier rules' outputs, where those behave.
  const scored: { indicators: Record<string, unknown>[] }[] = [];
  const composites: number[] = [0, 1, 2.5, 3, 4, 5, 10, 50, 100, -1];
  for (const slot of slots) {
    const finding = probe(slot, inputsFor(slot, samples, scored, composites));
    if (finding) findings.push(finding);
    if (!finding && slot === indicatorRule) scored.push(...scoredSets(slot, samples));
    if (!finding && slot === compositeRule) {
      for (const set of scored) composites.push(Number(run(slot, set)));
    }
  }
  return findings;
}

interface Input {
  data: unknown;
  /** The input in words, for the message. */
  label: string;
}

function probe(slot: Slot, inputs: Input[]): ProbeFinding | undefined {
  let rule: (data: unknown) => unknown;
  try {
    rule = compile(slot.rule);
  } catch {
    return undefined; // a rule that does not compile is the validator's to report
  }
  for (const { data, label } of inputs) {
    let result: unknown;
    try {
      result = withWorkLimit(PROBE_WORK, () => rule(data));
    } catch (err) {
      if (!(err instanceof RuleError)) throw err;
      const why =
        err.code === 'limit_exceeded'
          ? `does too much work for a review (${err.message})`
          : `cannot run (${err.message})`;
      return { pointer: slot.pointer + err.pointer, message: `${sentence(slot)} ${why} ${label}` };
    }
    const wrong = wrongResult(slot, result);
    if (wrong) return { pointer: slot.pointer, message: `${sentence(slot)} ${wrong} ${label}` };
  }
  return undefined;
}

function wrongResult(slot: Slot, result: unknown): string | undefined {
  switch (slot.kind) {
    case 'indicator':
    case 'composite':
    case 'renewal':
      return typeof result === 'number' && Number.isFinite(result)
        ? undefined
        : `returns ${shown(result)}, not a number,`;
    case 'suggest':
      return result === null || (typeof result === 'number' && Number.isFinite(result))
        ? undefined
        : `returns ${shown(result)}, not a number or null,`;
    case 'grade':
      if (typeof result !== 'string' || result.trim() === '')
        return `returns ${shown(result)}, not a grade name,`;
      return result.length > MAX_GRADE_LENGTH
        ? `returns a grade name of ${result.length} characters (at most ${MAX_GRADE_LENGTH}),`
        : undefined;
    default:
      return undefined; // conditions: any value has a truthiness
  }
}

function sentence(slot: Slot): string {
  const what: Record<Slot['kind'], string> = {
    indicator: 'The indicator rule',
    composite: 'The composite rule',
    grade: 'The grade rule',
    'contract-guard': `The guard ${slot.ref.slice('guards.'.length)}`,
    'indicator-guard': `The guard ${slot.ref.slice('guards.'.length)}`,
    escalation: `The escalation ${slot.ref.slice('escalations.'.length)}`,
    renewal: 'The renewal rule',
    suggest: 'The target suggestion rule',
  };
  return what[slot.kind];
}

function inputsFor(
  slot: Slot,
  samples: Indicator[],
  scored: { indicators: Record<string, unknown>[] }[],
  composites: number[],
): Input[] {
  switch (slot.kind) {
    case 'indicator':
      return samples.flatMap((indicator) =>
        actualsFor(indicator).map((actual) => ({
          data: { ...indicator, actual, period: 'Q1' },
          label: `when ${describe(indicator)} and actual is ${shown(actual)}`,
        })),
      );
    case 'indicator-guard':
      return samples.map((indicator) => ({ data: indicator, label: `for ${describe(indicator)}` }));
    case 'contract-guard':
      return [{ data: { indicators: samples }, label: `for ${samples.length} ordinary indicators` }];
    case 'composite':
      return scored.map((set) => ({ data: set, label: `for indicators scored ${scoresOf(set)}` }));
    case 'grade':
      return composites
        .filter((c) => Number.isFinite(c))
        .map((composite) => ({ data: { composite }, label: `for a composite of ${composite}` }));
    case 'escalation':
      return scored.flatMap((set) =>
        composites.slice(0, 4).map((composite) => ({
          data: { composite, grade: 'Good', indicators: set.indicators, period: 'Q1', missing: [] },
          label: `for a composite of ${composite}`,
        })),
      );
    case 'renewal':
      return samples.flatMap((indicator) =>
        actualsFor(indicator).map((actual) => ({
          data: {
            baseline: indicator.baseline,
            target: indicator.target,
            actual,
            direction: indicator.direction,
          },
          label: `when ${describe(indicator)} and the year's actual is ${shown(actual)}`,
        })),
      );
    case 'suggest':
      return samples.flatMap((indicator) =>
        SUGGEST_PROBES.map(({ history, peers, label }) => ({
          data: { ...indicator, ...suggestInputs(history, peers), benchmark: null },
          label: `when ${describe(indicator)} and ${label}`,
        })),
      );
  }
}

const SUGGEST_PROBES: { history: number[]; peers: number[]; label: string }[] = [
  { history: [], peers: [], label: 'there is neither history nor peers' },
  { history: [55], peers: [], label: 'there is one past year and no peers' },
  { history: [50, 55, 61], peers: [40, 60, 70, 90], label: 'there are three past years and four peers' },
  { history: [0, 0], peers: [0], label: 'every past value is 0' },
];

function suggestInputs(history: number[], peers: number[]) {
  return { history, trend: trend(history), lastActual: history.at(-1) ?? null, peers: peersOf(peers) };
}

/** Sets of scored indicators, as the composite receives them: all reported, and one missing. */
function scoredSets(slot: Slot, samples: Indicator[]): { indicators: Record<string, unknown>[] }[] {
  const total = samples.reduce((sum, i) => sum + i.weight, 0);
  const scoredWith = (actual: (i: Indicator) => number | null) => ({
    indicators: samples.map((indicator) => {
      const score = Number(run(slot, { ...indicator, actual: actual(indicator), period: 'Q1' }));
      return {
        ...indicator,
        actual: actual(indicator),
        score,
        weightedScore: Math.round(((score * indicator.weight) / total) * 100) / 100,
      };
    }),
  });
  return [
    scoredWith((i) => i.target),
    scoredWith((i) => i.baseline),
    scoredWith((i) => (i === samples[0] ? null : i.target)),
  ];
}

function run(slot: Slot, data: unknown): unknown {
  return withWorkLimit(PROBE_WORK, () => compile(slot.rule)(data));
}

/** Ordinary indicators: higher and lower is better, a zero baseline, the declared criteria set. */
function sampleIndicators(criteria: string[]): Indicator[] {
  const withCriteria = (values: number[]) =>
    criteria.length === 0
      ? {}
      : { criteria: Object.fromEntries(criteria.map((c, i) => [c, values[i % values.length]!])) };
  return [
    {
      id: 'probe-higher',
      name: 'Probe (higher)',
      direction: 'higher',
      baseline: 60,
      target: 80,
      weight: 40,
      ...withCriteria([55, 70, 80, 90]),
    },
    {
      id: 'probe-lower',
      name: 'Probe (lower)',
      direction: 'lower',
      baseline: 300,
      target: 250,
      weight: 35,
      ...withCriteria([320, 280, 250, 230]),
    },
    {
      id: 'probe-zero',
      name: 'Probe (from zero)',
      unit: '%',
      direction: 'higher',
      baseline: 0,
      target: 10,
      weight: 25,
      ...withCriteria([0, 5, 10, 12]),
    },
  ];
}

function actualsFor(indicator: Indicator): (number | null)[] {
  const beyond = indicator.target + (indicator.target - indicator.baseline) * 0.5;
  return [null, indicator.baseline, indicator.target, beyond, 0];
}

function describe(indicator: Indicator): string {
  return `${indicator.direction} is better, baseline ${indicator.baseline}, target ${indicator.target}`;
}

function scoresOf(set: { indicators: Record<string, unknown>[] }): string {
  return set.indicators.map((i) => shown(i.score)).join(', ');
}

function shown(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
