// Applies a rule set to a contract: vetting guards, per-indicator scores, composite, grade and
// escalations. Pure and deterministic: runs inside the workflow on the rule set the contract pinned.
import type { Indicator } from '../model/contract.js';
import type { IndicatorPhase } from '../model/phasing.js';
import type { RuleSet } from '../model/ruleset.js';
import type { Escalation, GuardFailure, IndicatorScore } from '../model/state.js';
import { compile, RuleError } from './engine/index.js';
import { whyItFired } from './why.js';

export interface PeriodScore {
  /** The composite; null when the rule set could not score the period (see `problems`). */
  score: number | null;
  grade: string;
  indicators: IndicatorScore[];
  missing: string[];
  escalations: Escalation[];
  /** What the rule set could not do for this period, in words; absent when it scored everything. */
  problems?: string[];
}

/** One earlier review, as escalation rules read it under `previous`. */
export interface PreviousReview {
  period: string;
  composite: number | null;
  grade: string;
  /** Each indicator's score by id; empty for last year's (a finished year keeps its composites only). */
  indicators: Record<string, number | null>;
}

/** What a quarter's review knows beyond its figures; absent for contracts reviewed before phasing. */
export interface PeriodContext {
  /** Per indicator, in the terms' order: what the quarter is compared with (model/phasing.ts). */
  phases: readonly IndicatorPhase[];
  /** This year's earlier reviews, in order, and the same quarter last year. */
  previous: { periods: PreviousReview[]; last: PreviousReview | null; lastYear: PreviousReview | null };
}

/** The grade of a period the rule set could not score. */
export const NOT_SCORED = 'Not scored';

/** Longest grade name kept: it is a search attribute (Temporal allows 2 KB) and a table cell. */
export const MAX_GRADE_LENGTH = 100;

/** The escalation a review gets when its rule set fails it: the performance office must correct it. */
export const RULE_ERROR_ESCALATION = 'rule-error';

/** The guards that refuse the terms. A guard that cannot run refuses them too, saying why. */
export function runGuards(ruleSet: RuleSet, indicators: Indicator[]): GuardFailure[] {
  const failures: GuardFailure[] = [];
  for (const guard of ruleSet.guards) {
    const cannotRun = (err: unknown, pointer: string): void => {
      if (!(err instanceof RuleError)) throw err;
      failures.push({ guard: guard.id, message: `the guard cannot run: ${err.message}`, pointer });
    };
    let check: (data: unknown) => unknown;
    try {
      check = compile(guard.rule);
    } catch (err) {
      cannotRun(err, '/indicators');
      continue;
    }
    if (guard.scope === 'contract') {
      try {
        if (!truthy(check({ indicators })))
          failures.push({ guard: guard.id, message: guard.message, pointer: '/indicators' });
      } catch (err) {
        cannotRun(err, '/indicators');
      }
      continue;
    }
    indicators.forEach((indicator, i) => {
      try {
        if (!truthy(check(indicator))) {
          failures.push({
            guard: guard.id,
            message: `${indicator.id}: ${guard.message}`,
            pointer: `/indicators/${i}`,
          });
        }
      } catch (err) {
        cannotRun(err, `/indicators/${i}`);
      }
    });
  }
  return failures;
}

/**
 * Scores a period. Never throws: a rule that cannot run or gives no usable result leaves its
 * indicator (or the composite, or the grade) not scored, says why in `problems`, and escalates the
 * review to the managers (RULE_ERROR_ESCALATION), so a broken rule set never wedges a contract.
 */
export function scorePeriod(
  ruleSet: RuleSet,
  indicators: Indicator[],
  actuals: Record<string, number | null>,
  periodId: string,
  context?: PeriodContext,
): PeriodScore {
  const problems: string[] = [];
  const attempt = <T>(
    what: string,
    run: () => T,
    usable: (value: T) => boolean,
    expected: string,
  ): T | null => {
    try {
      const value = run();
      if (usable(value)) return value;
      problems.push(`${what} returned ${shown(value)}, not ${expected}`);
    } catch (err) {
      if (!(err instanceof RuleError)) throw err;
      problems.push(`${what} cannot run: ${err.message}`);
    }
    return null;
  };
  const indicatorRule = attempt(
    'the indicator rule',
    () => compile(ruleSet.scoring.indicator),
    Boolean,
    'a rule',
  );
  const total = totalWeight(indicators);
  const scores: IndicatorScore[] = indicators.map((indicator, i) => {
    const actual = Object.hasOwn(actuals, indicator.id) ? (actuals[indicator.id] ?? null) : null;
    const phase = context?.phases[i];
    const input = indicatorInput(indicator, actual, periodId, phase);
    const score =
      indicatorRule &&
      attempt(
        `the indicator rule for ${indicator.id}`,
        () => indicatorRule(input) as number,
        isFiniteNumber,
        'a number',
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
      ...(phase ? { periodTarget: phase.periodTarget, actualToDate: phase.actualToDate } : {}),
      score,
      weightedScore: score === null ? null : round2((score * indicator.weight) / total),
    };
  });
  const missing = scores.filter((s) => s.actual === null).map((s) => s.id);
  // A composite over some indicators only would silently misstate the period: none at all instead.
  const composite = scores.every((s) => s.score !== null)
    ? attempt(
        'the composite rule',
        () => compile(ruleSet.scoring.composite)({ indicators: scores }) as number,
        isFiniteNumber,
        'a number',
      )
    : null;
  const grade =
    composite === null
      ? null
      : attempt(
          'the grade rule',
          () => compile(ruleSet.scoring.grade)({ composite }) as string,
          (g) => typeof g === 'string' && g.trim() !== '' && g.length <= MAX_GRADE_LENGTH,
          `a grade name of 1 to ${MAX_GRADE_LENGTH} characters`,
        );
  const escalations: Escalation[] = [];
  if (composite !== null && grade !== null) {
    const facts = escalationFacts(composite, grade, scores, periodId, missing, context);
    for (const e of ruleSet.escalations) {
      // Explained only when fired: the trace is the slow path, and a review needs it only for these.
      const fired = attempt(
        `the escalation rule ${e.id}`,
        () => truthy(compile(e.when)(facts)),
        () => true,
        '',
      );
      if (!fired) continue;
      escalations.push({
        id: e.id,
        severity: e.severity,
        message: e.message,
        notify: e.notify,
        why: explained(e.when, facts),
        ...(e.corrective ? { corrective: e.corrective } : {}),
      });
    }
  }
  if (problems.length > 0) {
    escalations.push({
      id: RULE_ERROR_ESCALATION,
      severity: 'high',
      message: `The rule set could not score this review: ${problems.join('; ')}. The performance office should correct the rule set (a new version), and the period be reviewed again.`,
      notify: ['managers'],
    });
  }
  return {
    score: grade === null ? null : composite,
    grade: grade ?? NOT_SCORED,
    indicators: scores,
    missing,
    escalations,
    ...(problems.length > 0 ? { problems } : {}),
  };
}

/** What the indicator rule reads for one indicator in a period (rules/ruleset-slots.ts, slot indicator). */
export function indicatorInput(
  indicator: Indicator,
  actual: number | null,
  periodId: string,
  phase: IndicatorPhase | undefined,
) {
  return {
    ...indicator,
    actual,
    period: periodId,
    periodTarget: phase?.periodTarget ?? indicator.target,
    periodBaseline: phase?.periodBaseline ?? indicator.baseline,
    actualToDate: phase ? phase.actualToDate : actual,
    targetToDate: phase?.targetToDate ?? indicator.target,
    ...(phase ? { criteria: phase.criteria } : {}),
  };
}

/** What escalation rules read of a scored period (slot escalation). */
export function escalationFacts(
  composite: number,
  grade: string,
  scores: IndicatorScore[],
  periodId: string,
  missing: string[],
  context: PeriodContext | undefined,
) {
  return {
    composite,
    grade,
    indicators: scores,
    period: periodId,
    missing,
    ...(context ? { previous: context.previous } : {}),
  };
}

function totalWeight(indicators: Indicator[]): number {
  return indicators.reduce((sum, i) => sum + i.weight, 0) || 1;
}

function round2(x: number): number {
  return Math.round((x + Number.EPSILON) * 100) / 100;
}

function isFiniteNumber(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value);
}

function shown(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/** Why an escalation fired, or nothing when even its explanation cannot run. */
function explained(rule: unknown, facts: unknown): string[] | undefined {
  try {
    return whyItFired(rule, facts);
  } catch (err) {
    if (!(err instanceof RuleError)) throw err;
    return undefined;
  }
}

/** JSON-Logic truthiness: empty arrays are false, "0" is true. */
function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}
