// Targets suggested from history and benchmarks: the rule set's `targets.suggest` (or Covenant's
// default rule) proposes each indicator's target from its past years (`history`, their
// least-squares `trend`, the `lastActual`) and its peers (percentiles of the same indicator among
// contracts of the same category). Pure and deterministic: the API runs it at creation and on
// proposals, the workflow at renewal.
import { linearRegression } from 'simple-statistics';
import type { Indicator } from '../model/contract.js';
import type { RuleSet } from '../model/ruleset.js';
import type { Peers, Suggestion } from '../model/suggestion.js';
import { compile, RuleError } from './engine/index.js';
import { whyItFired } from './why.js';

export type { Peers, Suggestion } from '../model/suggestion.js';

export const NO_PEERS: Peers = Object.freeze({ count: 0, p25: null, median: null, p75: null });

const nullOr = (name: string, then: unknown) => ({ if: [{ '==': [{ var: name }, null] }, null, then] });
const improved = (factor: number) => nullOr('lastActual', { '*': [{ var: 'lastActual' }, factor] });
/** The best of the values that are there: the highest, or the lowest when lower is better. */
const best = (higher: boolean) => ({
  reduce: [
    {
      filter: [
        [{ var: 'trend' }, improved(higher ? 1.05 : 0.95), { var: 'peers.median' }],
        { '!=': [{ var: '' }, null] },
      ],
    },
    {
      if: [
        {
          or: [
            { '==': [{ var: 'accumulator' }, null] },
            { [higher ? '>' : '<']: [{ var: 'current' }, { var: 'accumulator' }] },
          ],
        },
        { var: 'current' },
        { var: 'accumulator' },
      ],
    },
    null,
  ],
});

/**
 * Covenant's default: the better of the trend and the last actual improved by 5%, never worse
 * than the peers' median; rounded to 2 decimals; null with neither history nor peers.
 */
export const DEFAULT_SUGGEST_RULE = {
  if: [
    { '==': [{ var: 'direction' }, 'lower'] },
    nullOr('lowerBest', { round: [{ var: 'lowerBest' }, 2] }),
    nullOr('higherBest', { round: [{ var: 'higherBest' }, 2] }),
  ],
};
// The default reads the best of each direction as variables, so its explanation stays short.
const DEFAULT_BEST = { higherBest: compile(best(true)), lowerBest: compile(best(false)) };

/** Least-squares line through the history (oldest first), projected one year on; null under 2 years. */
export function trend(history: readonly number[]): number | null {
  if (history.length < 2) return null;
  const { m, b } = linearRegression(history.map((y, x) => [x, y]));
  return round6(m * history.length + b);
}

/** Linear-interpolated percentiles (PostgreSQL's percentile_cont) of the values. */
export function peersOf(values: readonly number[]): Peers {
  if (values.length === 0) return NO_PEERS;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => {
    const i = p * (sorted.length - 1);
    const lo = Math.floor(i);
    const hi = Math.ceil(i);
    return round6(sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (i - lo));
  };
  return { count: sorted.length, p25: at(0.25), median: at(0.5), p75: at(0.75) };
}

/** The rule that suggests targets for a rule set, and how it is named. */
function suggestRule(ruleSet: RuleSet): { rule: unknown; name: string } {
  const own = ruleSet.targets?.suggest;
  return own === undefined
    ? { rule: DEFAULT_SUGGEST_RULE, name: "Covenant's default (the better of the trend and the last actual improved by 5%, never worse than the peers' median)" }
    : { rule: own, name: `targets.suggest of ${ruleSet.id} v${ruleSet.version}` };
}

/**
 * Each indicator's suggestion from its history (at renewal, this year's value appended) and its
 * peers, by indicator id. Never throws: a rule that fails leaves the suggestion null, saying why.
 */
export function suggestTargets(
  ruleSet: RuleSet,
  indicators: readonly Indicator[],
  peers: Readonly<Record<string, Peers>>,
): Suggestion[] {
  const { rule, name } = suggestRule(ruleSet);
  let run: ((data: unknown) => unknown) | undefined;
  let problem: string | undefined;
  try {
    run = compile(rule);
  } catch (err) {
    if (!(err instanceof RuleError)) throw err;
    problem = `the rule cannot run: ${err.message}`;
  }
  return indicators.map((indicator) => {
    const history = indicator.history ?? [];
    const inputs = {
      history,
      trend: trend(history),
      lastActual: history.at(-1) ?? null,
      peers: Object.hasOwn(peers, indicator.id) ? peers[indicator.id]! : NO_PEERS,
    };
    const data: Record<string, unknown> = {
      ...indicator,
      ...inputs,
      benchmark: indicator.benchmark?.value ?? null,
    };
    if (rule === DEFAULT_SUGGEST_RULE) {
      data.higherBest = DEFAULT_BEST.higherBest(data);
      data.lowerBest = DEFAULT_BEST.lowerBest(data);
    }
    const base = { rule: name, inputs };
    if (!run) return { ...base, target: null, problem: problem! };
    let value: unknown;
    try {
      value = run(data);
    } catch (err) {
      if (!(err instanceof RuleError)) throw err;
      return { ...base, target: null, problem: `the rule cannot run: ${err.message}` };
    }
    if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) {
      return { ...base, target: null, problem: `the rule gave ${JSON.stringify(value) ?? 'nothing'}, not a number` };
    }
    const why = explain(rule, data);
    return { ...base, target: value, ...(why ? { why } : {}) };
  });
}

/** Whether a target asks less than its suggestion, in the indicator's direction. */
export function lessAmbitious(indicator: Indicator): boolean {
  const suggested = indicator.suggestion?.target;
  if (suggested === undefined || suggested === null) return false;
  return indicator.direction === 'lower' ? indicator.target > suggested : indicator.target < suggested;
}

function explain(rule: unknown, data: unknown): string[] | undefined {
  try {
    return whyItFired(rule, data);
  } catch (err) {
    if (!(err instanceof RuleError)) throw err;
    return undefined;
  }
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
