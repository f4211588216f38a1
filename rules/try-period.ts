// "Try it": a rule set scored on one period as the workflow would score it, with what each rule
// read (each indicator's input, the composite's, the escalations' facts), so the studio can show
// the outcome and keep any of those as a test case of its rule.
import type { Indicator } from '../model/contract.js';
import type { RuleSetDraft } from '../model/ruleset.js';
import {
  escalationFacts,
  indicatorInput,
  scorePeriod,
  type PeriodContext,
  type PeriodScore,
} from './scoring.js';

export interface TriedPeriod {
  result: PeriodScore;
  /** Each indicator's input to scoring.indicator, by indicator id. */
  inputs: Record<string, unknown>;
  /** The input to scoring.composite; null when an indicator could not be scored. */
  compositeInput: unknown;
  /** The escalations' facts, and whether each escalation of the rule set fired; null when not graded. */
  facts: unknown;
  fired: Record<string, boolean>;
}

export function tryPeriod(
  ruleSet: RuleSetDraft,
  indicators: Indicator[],
  actuals: Record<string, number | null>,
  periodId: string,
  context: PeriodContext | undefined,
): TriedPeriod {
  const result = scorePeriod({ version: 0, ...ruleSet }, indicators, actuals, periodId, context);
  const inputs = Object.fromEntries(
    indicators.map((indicator, i) => [
      indicator.id,
      indicatorInput(
        indicator,
        Object.hasOwn(actuals, indicator.id) ? (actuals[indicator.id] ?? null) : null,
        periodId,
        context?.phases[i],
      ),
    ]),
  );
  const scored = result.indicators.every((s) => s.score !== null);
  const graded = result.score !== null;
  return {
    result,
    inputs,
    compositeInput: scored ? { indicators: result.indicators } : null,
    facts: graded
      ? escalationFacts(result.score!, result.grade, result.indicators, periodId, result.missing, context)
      : null,
    fired: Object.fromEntries(
      ruleSet.escalations.map((e) => [e.id, result.escalations.some((fired) => fired.id === e.id)]),
    ),
  };
}
