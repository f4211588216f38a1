// Applies a rule set to a contract: vetting guards, per-indicator scores, composite, grade and
// escalations. Pure and deterministic: runs inside the workflow on the rule set the contract pinned.
import type { Indicator } from '../model/contract.js';
import type { RuleSet } from '../model/ruleset.js';
import type { Escalation, GuardFailure, IndicatorScore } from '../model/state.js';
import { compile } from './engine/index.js';
import { whyItFired } from './why.js';

export interface PeriodScore {
  score: number;
  grade: string;
  indicators: IndicatorScore[];
  missing: string[];
  escalations: Escalation[];
}

export function runGuards(ruleSet: RuleSet, indicators: Indicator[]): GuardFailure[] {
  const failures: GuardFailure[] = [];
  for (const guard of ruleSet.guards) {
    const check = compile(guard.rule);
    if (guard.scope === 'contract') {
      if (!truthy(check({ indicators })))
        failures.push({ guard: guard.id, message: guard.message, pointer: '/indicators' });
      continue;
    }
    indicators.forEach((indicator, i) => {
      if (!truthy(check(indicator))) {
        failures.push({
          guard: guard.id,
          message: `${indicator.id}: ${guard.message}`,
          pointer: `/indicators/${i}`,
        });
      }
    });
  }
  return failures;
}

export function scorePeriod(
  ruleSet: RuleSet,
  indicators: Indicator[],
  actuals: Record<string, number | null>,
  periodId: string,
): PeriodScore {
  const indicatorRule = compile(ruleSet.scoring.indicator);
  const scores: IndicatorScore[] = indicators.map((indicator) => {
    const actual = actuals[indicator.id] ?? null;
    const score = asNumber(
      indicatorRule({ ...indicator, actual, period: periodId }),
      `indicator ${indicator.id}`,
    );
    return {
      id: indicator.id,
      name: indicator.name,
      ...(indicator.unit === undefined ? {} : { unit: indicator.unit }),
      direction: indicator.direction,
      baseline: indicator.baseline,
      target: indicator.target,
      weight: indicator.weight,
      actual,
      score,
      weightedScore: round2((score * indicator.weight) / totalWeight(indicators)),
    };
  });
  const composite = asNumber(compile(ruleSet.scoring.composite)({ indicators: scores }), 'composite');
  const grade = String(compile(ruleSet.scoring.grade)({ composite }));
  const missing = scores.filter((s) => s.actual === null).map((s) => s.id);
  const facts = { composite, grade, indicators: scores, period: periodId, missing };
  // Explained only when fired: the trace is the slow path, and a review needs it only for these.
  const escalations: Escalation[] = ruleSet.escalations
    .filter((e) => truthy(compile(e.when)(facts)))
    .map((e) => ({
      id: e.id,
      severity: e.severity,
      message: e.message,
      notify: e.notify,
      why: whyItFired(e.when, facts),
    }));
  return { score: composite, grade, indicators: scores, missing, escalations };
}

function totalWeight(indicators: Indicator[]): number {
  return indicators.reduce((sum, i) => sum + i.weight, 0) || 1;
}

function round2(x: number): number {
  return Math.round((x + Number.EPSILON) * 100) / 100;
}

function asNumber(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`The rule set's ${what} rule returned ${JSON.stringify(value)}, not a number`);
  }
  return value;
}

/** JSON-Logic truthiness: empty arrays are false, "0" is true. */
function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}
