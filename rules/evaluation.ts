// The annual evaluation and the renewal, from a year's agreed quarterly figures. Pure and
// deterministic: runs inside the workflow on the rule set the contract pinned.
import type { Indicator } from '../model/contract.js';
import type { Aggregation, RuleSet } from '../model/ruleset.js';
import type { IndicatorYear, PeriodState } from '../model/state.js';
import { compile } from './engine/index.js';
import { scorePeriod } from './scoring.js';

/** A period's agreed figures: the unit's report, with every moderation applied in order. */
export function agreedActuals(period: PeriodState): Record<string, number | null> {
  const actuals: Record<string, number | null> = { ...(period.report?.actuals ?? {}) };
  for (const m of period.moderations) actuals[m.indicator] = m.to;
  return actuals;
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

export interface YearScore {
  score: number;
  grade: string;
  indicators: IndicatorYear[];
}

/** Scores the year: each indicator's year value against the terms in force at the year's end. */
export function evaluateYear(ruleSet: RuleSet, indicators: Indicator[], periods: PeriodState[]): YearScore {
  const agreed = periods.map(agreedActuals);
  const values: Record<string, number | null> = {};
  for (const indicator of indicators) {
    const how = indicator.aggregation ?? ruleSet.scoring.aggregation;
    values[indicator.id] = aggregate(
      agreed.map((a) => a[indicator.id] ?? null),
      how,
    );
  }
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
      aggregation: indicators[i]!.aggregation ?? ruleSet.scoring.aggregation,
      actual: s.actual,
      score: s.score,
    })),
  };
}

/** Next year's proposed indicators: baselines from this year's agreed values, targets by the renewal rule. */
export function renewIndicators(
  ruleSet: RuleSet,
  indicators: Indicator[],
  year: IndicatorYear[],
): Indicator[] {
  const targetRule = compile(ruleSet.renewal.target);
  return indicators.map((indicator) => {
    const actual = year.find((y) => y.id === indicator.id)?.actual ?? null;
    const target = targetRule({
      baseline: indicator.baseline,
      target: indicator.target,
      actual,
      direction: indicator.direction,
    });
    if (typeof target !== 'number' || !Number.isFinite(target)) {
      throw new Error(
        `The rule set's renewal rule returned ${JSON.stringify(target)} for ${indicator.id}, not a number`,
      );
    }
    return { ...indicator, baseline: actual ?? indicator.baseline, target };
  });
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
