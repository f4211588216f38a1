// Vetting: what agreed terms must pass before they are signed. The contract workflow runs it on
// each agreed revision; the API and the contract form run the same checks before a contract is
// created, so nothing is sent that vetting would refuse.
import type { ContractPeriod, Indicator } from '../model/contract.js';
import { reportingPeriods } from '../model/periods.js';
import { phasingIssues } from '../model/phasing.js';
import type { GuardFailure } from '../model/state.js';
import type { RuleSet } from '../model/ruleset.js';
import { runGuards } from './scoring.js';
import { lessAmbitious } from './targets.js';

/** Every reason the terms fail vetting, in the order the workflow has always listed them. */
export function vettingFailures(
  ruleSet: RuleSet,
  period: ContractPeriod,
  indicators: Indicator[],
): GuardFailure[] {
  return [
    ...phasingFailures(ruleSet, period, indicators),
    ...ambitionFailures(indicators),
    ...runGuards(ruleSet, indicators),
  ];
}

export function phasingFailures(
  ruleSet: RuleSet,
  period: ContractPeriod,
  indicators: Indicator[],
): GuardFailure[] {
  const ids = reportingPeriods(period).map((p) => p.id);
  return phasingIssues(indicators, ids, ruleSet.scoring.aggregation).map((issue) => ({
    guard: 'phasing',
    message: issue.message,
    pointer: issue.pointer,
  }));
}

/** Targets that ask less than their suggestion without saying why. */
function ambitionFailures(indicators: Indicator[]): GuardFailure[] {
  return indicators.flatMap((indicator, i) =>
    lessAmbitious(indicator) && !indicator.justification?.trim()
      ? [
          {
            guard: 'ambitious-targets',
            message: `${indicator.id}: the target ${indicator.target} asks less than the ${indicator.suggestion!.target} suggested by ${indicator.suggestion!.rule}; give a justification`,
            pointer: `/indicators/${i}/justification`,
          },
        ]
      : [],
  );
}
