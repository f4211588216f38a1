// How an indicator is measured over the year and what each quarter should reach: its quarterly
// targets (explicit, or phased from the annual target) and the year value the quarters add up to.
// Pure: the workflow scores with it, the API and vetting check terms with it, simulations read it.
import type { Indicator } from './contract.js';
import type { Issue } from './errors.js';
import type { Aggregation } from './ruleset.js';

/**
 * level: each quarter is a level of its own (a rate, a satisfaction score), compared with the target;
 * cumulative: the quarters add up to the year (classrooms built);
 * to-date: each quarter reports a running figure that ends at the year value (% of budget absorbed).
 */
export type Measurement = 'level' | 'cumulative' | 'to-date';

/** What one quarter of one indicator is compared with. */
export interface IndicatorPhase {
  /** What the quarter's `actual` should reach: its own share (cumulative) or the target to date. */
  periodTarget: number;
  /** The baseline phased the same way. */
  periodBaseline: number;
  /** The indicator's criteria values phased the same way; undefined when it has none. */
  criteria: Record<string, number> | undefined;
  /** Cumulative: the actuals of the year so far, this quarter's included; else the quarter's actual. */
  actualToDate: number | null;
  /** Cumulative: the quarters' targets so far added up; else the period target. */
  targetToDate: number;
}

/** Whether the indicator says how it is measured or phased: the terms of contracts before phasing do not. */
export function isPhased(indicator: Indicator): boolean {
  return (
    indicator.measurement !== undefined || indicator.targets !== undefined || indicator.phasing !== undefined
  );
}

export function measurementOf(indicator: Indicator): Measurement {
  return indicator.measurement ?? 'level';
}

/** How the quarters make the year value: the indicator's own aggregation, else its measurement's, else the rule set's. */
export function yearAggregation(indicator: Indicator, ruleSetAggregation: Aggregation): Aggregation {
  if (indicator.aggregation) return indicator.aggregation;
  switch (indicator.measurement) {
    case 'cumulative':
      return 'sum';
    case 'to-date':
      return 'last';
    default:
      return ruleSetAggregation;
  }
}

/** The period ids of a year of `count` quarters: Q1 … Qn. */
export function periodIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `Q${i + 1}`);
}

/**
 * Each quarter's target, in order: the explicit ones, else the annual target phased by the profile
 * (linear, or weights per quarter): a cumulative indicator's quarter gets its share, a to-date
 * indicator's the share so far, a level indicator the target itself.
 */
export function quarterTargets(indicator: Indicator, ids: readonly string[]): number[] {
  const explicit = indicator.targets;
  if (explicit) return ids.map((id) => explicit[id] ?? indicator.target);
  const shares = phaseShares(indicator, ids);
  return shares.map((share) => round6(indicator.target * share));
}

/**
 * The part of the annual figures each quarter stands for: 1 for a level indicator; the quarter's
 * share for a cumulative one; the share so far for a to-date one. From the explicit targets when
 * there are (and the target is not 0), else from the phasing profile.
 */
export function phaseShares(indicator: Indicator, ids: readonly string[]): number[] {
  const measurement = measurementOf(indicator);
  if (measurement === 'level') return ids.map(() => 1);
  const explicit = indicator.targets;
  if (explicit && indicator.target !== 0) {
    return ids.map((id) => (explicit[id] ?? 0) / indicator.target);
  }
  const profile = indicator.phasing;
  const weights = ids.map((id) => (profile === undefined || profile === 'linear' ? 1 : (profile[id] ?? 0)));
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  if (measurement === 'cumulative') return weights.map((w) => w / total);
  let sofar = 0;
  return weights.map((w) => (sofar += w) / total);
}

/**
 * One quarter of each indicator: what it is compared with and its figures to date. `earlier` are
 * the agreed actuals of the year's quarters before this one, in order (an unreported one is {}).
 */
export function periodPhases(
  indicators: readonly Indicator[],
  ids: readonly string[],
  index: number,
  actuals: Readonly<Record<string, number | null>>,
  earlier: readonly Readonly<Record<string, number | null>>[],
): IndicatorPhase[] {
  return indicators.map((indicator) => {
    const share = phaseShares(indicator, ids)[index] ?? 1;
    const targets = quarterTargets(indicator, ids);
    const periodTarget = targets[index] ?? indicator.target;
    const actual = own(actuals, indicator.id);
    const cumulative = measurementOf(indicator) === 'cumulative';
    let actualToDate = actual;
    let targetToDate = periodTarget;
    if (cumulative) {
      targetToDate = round6(targets.slice(0, index + 1).reduce((a, b) => a + b, 0));
      if (actual !== null) {
        actualToDate = round6(
          earlier.reduce((sum, figures) => sum + (own(figures, indicator.id) ?? 0), actual),
        );
      }
    }
    return {
      periodTarget,
      periodBaseline: round6(indicator.baseline * share),
      criteria: indicator.criteria && scaled(indicator.criteria, share),
      actualToDate,
      targetToDate,
    };
  });
}

/**
 * What is wrong with an indicator's phasing, as issues at `at` (the indicators' pointer): explicit
 * targets of unknown quarters or not adding up to the annual target by the year aggregation, a
 * profile on a level indicator or with no weight.
 */
export function phasingIssues(
  indicators: readonly Indicator[],
  ids: readonly string[],
  ruleSetAggregation: Aggregation,
  at = '/indicators',
): Issue[] {
  const issues: Issue[] = [];
  indicators.forEach((indicator, i) => {
    const here = `${at}/${i}`;
    if (indicator.targets && indicator.phasing) {
      issues.push({
        pointer: `${here}/phasing`,
        message: 'give explicit targets or a phasing profile, not both',
      });
    }
    const profile = indicator.phasing;
    if (profile !== undefined && profile !== 'linear') {
      if (measurementOf(indicator) === 'level') {
        issues.push({
          pointer: `${here}/phasing`,
          message:
            'a level indicator is compared with its target each quarter: phase it with explicit targets, or measure it cumulative or to-date',
        });
      }
      for (const id of Object.keys(profile)) {
        if (!ids.includes(id))
          issues.push({ pointer: `${here}/phasing/${id}`, message: unknownQuarter(id, ids) });
      }
      if (ids.every((id) => (profile[id] ?? 0) === 0)) {
        issues.push({ pointer: `${here}/phasing`, message: 'give at least one quarter a weight above 0' });
      }
    }
    const explicit = indicator.targets;
    if (!explicit) return;
    for (const id of Object.keys(explicit)) {
      if (!ids.includes(id))
        issues.push({ pointer: `${here}/targets/${id}`, message: unknownQuarter(id, ids) });
    }
    const absent = ids.filter((id) => explicit[id] === undefined);
    if (absent.length > 0) {
      issues.push({
        pointer: `${here}/targets`,
        message: `give a target for every quarter; ${absent.join(', ')} missing`,
      });
      return;
    }
    const how = yearAggregation(indicator, ruleSetAggregation);
    const year = aggregateTargets(
      ids.map((id) => explicit[id]!),
      how,
    );
    if (Math.abs(year - indicator.target) > 1e-5 * Math.max(1, Math.abs(indicator.target))) {
      issues.push({
        pointer: `${here}/targets`,
        message: `the quarterly targets make a year value of ${round6(year)} (${AGGREGATION_WORDS[how]}), not the annual target ${indicator.target}`,
      });
    }
  });
  return issues;
}

const AGGREGATION_WORDS: Record<Aggregation, string> = {
  sum: 'their sum',
  mean: 'their mean',
  last: 'the last quarter',
  max: 'the highest',
};

function aggregateTargets(values: number[], how: Aggregation): number {
  switch (how) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'mean':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'last':
      return values[values.length - 1]!;
    case 'max':
      return Math.max(...values);
  }
}

function unknownQuarter(id: string, ids: readonly string[]): string {
  return `'${id}' is not a quarter of this contract; it has ${ids.join(', ')}`;
}

function scaled(criteria: Record<string, number>, share: number): Record<string, number> {
  if (share === 1) return criteria;
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(criteria)) out[name] = round6(value * share);
  return out;
}

function own(figures: Readonly<Record<string, number | null>>, id: string): number | null {
  return Object.hasOwn(figures, id) ? (figures[id] ?? null) : null;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
