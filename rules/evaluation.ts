// The annual evaluation and the renewal, from a year's agreed quarterly figures. Pure and
// deterministic: runs inside the workflow on the rule set the contract pinned.
import type { Indicator } from '../model/contract.js';
import { yearAggregation } from '../model/phasing.js';
import type { Aggregation, RuleSet } from '../model/ruleset.js';
import type { IndicatorYear, PeriodState } from '../model/state.js';
import { compile, RuleError } from './engine/index.js';
import { scorePeriod } from './scoring.js';

/** A period's agreed figures: the unit's report, with every moderation applied in order. */
export function agreedActuals(period: PeriodState): Record<string, number | null> {
  const actuals: Record<string, number | null> = { ...(period.report?.actuals ?? {}) };
  for (const m of period.moderations) actuals[m.indicator] = m.to;
  return actuals;
}

/** A figure by indicator id: own properties only, so an id such as "constructor" reads no prototype. */
export function figureOf(figures: Readonly<Record<string, number | null>>, id: string): number | null {
  return Object.hasOwn(figures, id) ? (figures[id] ?? null) : null;
}

export function aggregate(values: (number | null)[], how: Aggregation): number | null {
  const known = values.filter((v): v is number => v !== null);
  if (known.length === 0) return null;
  switch (how) {
    case 'sum':
      return round6(known.reduce((a, b) => a + b, 0));
    case 'mean':
      return round6(known.reduce((a, b) => a + b, 0) / known.length);
    case 'last':
      return known[known.length - 1]!;
    case 'max':
      return Math.max(...known);
  }
}

/**
 * Each indicator's year value, by id: its quarters' figures (one array per quarter, in the
 * indicators' order) aggregated as the indicator, else the rule set, says. The annual evaluation
 * and its what-if both read the year so.
 */
export function yearValues(
  indicators: readonly Indicator[],
  aggregation: Aggregation,
  quarters: readonly (readonly (number | null)[])[],
): Record<string, number | null> {
  const values: Record<string, number | null> = {};
  indicators.forEach((indicator, i) => {
    values[indicator.id] = aggregate(
      quarters.map((q) => q[i] ?? null),
      yearAggregation(indicator, aggregation),
    );
  });
  return values;
}

export interface YearScore {
  score: number | null;
  grade: string;
  indicators: IndicatorYear[];
}

/** Scores the year: each indicator's year value against the terms in force at the year's end. */
export function evaluateYear(ruleSet: RuleSet, indicators: Indicator[], periods: PeriodState[]): YearScore {
  const quarters = periods.map(agreedActuals).map((a) => indicators.map((i) => figureOf(a, i.id)));
  const values = yearValues(indicators, ruleSet.scoring.aggregation, quarters);
  const scored = scorePeriod(ruleSet, indicators, values, 'year');
  return {
    score: scored.score,
    grade: scored.grade,
    indicators: scored.indicators.map((s, i) => ({
      id: s.id,
      name: s.name,
      ...(s.unit === undefined ? {} : { unit: s.unit }),
      direction: s.direction,
      baseline: s.baseline,
      target: s.target,
      weight: s.weight,
      aggregation: yearAggregation(indicators[i]!, ruleSet.scoring.aggregation),
      actual: s.actual,
      score: s.score,
    })),
  };
}

/**
 * Next year's proposed indicators: baselines from this year's agreed values, targets by the renewal
 * rule. Never throws: where the rule gives no number the target stays this year's, and `problems`
 * says so (the parties negotiate the renewal anyway).
 */
export function renewIndicators(
  ruleSet: RuleSet,
  indicators: Indicator[],
  year: IndicatorYear[],
  problems: string[] = [],
): Indicator[] {
  let targetRule: ((data: unknown) => unknown) | undefined;
  try {
    targetRule = compile(ruleSet.renewal.target);
  } catch (err) {
    if (!(err instanceof RuleError)) throw err;
    problems.push(`the renewal rule cannot run: ${err.message}; every target stays this year's`);
  }
  return indicators.map((indicator) => {
    const actual = year.find((y) => y.id === indicator.id)?.actual ?? null;
    let target: unknown = indicator.target;
    if (targetRule) {
      try {
        target = targetRule({
          baseline: indicator.baseline,
          target: indicator.target,
          actual,
          direction: indicator.direction,
        });
      } catch (err) {
        if (!(err instanceof RuleError)) throw err;
        target = err;
      }
      if (typeof target !== 'number' || !Number.isFinite(target)) {
        problems.push(
          `the renewal rule gave ${target instanceof RuleError ? `an error (${target.message})` : (JSON.stringify(target) ?? 'nothing')} for ${indicator.id}, not a number; its target stays ${indicator.target}`,
        );
        target = indicator.target;
      }
    }
    // This year's value joins the history next year's targets are suggested from.
    const history = actual === null ? indicator.history : [...(indicator.history ?? []), actual].slice(-20);
    return withTarget(
      { ...indicator, baseline: actual ?? indicator.baseline, ...(history ? { history } : {}) },
      target as number,
    );
  });
}

/**
 * The indicator with a new annual target; explicit quarterly targets scaled with it, so they still
 * make the year (every aggregation scales), or dropped for an even phasing when the old target was 0.
 */
export function withTarget(indicator: Indicator, target: number): Indicator {
  const { targets, ...rest } = indicator;
  if (!targets || target === indicator.target) return { ...indicator, target };
  if (indicator.target === 0) return { ...rest, target };
  const ratio = target / indicator.target;
  return {
    ...rest,
    target,
    targets: Object.fromEntries(Object.entries(targets).map(([id, t]) => [id, round6(t * ratio)])),
  };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
