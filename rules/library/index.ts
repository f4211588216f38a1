// The built-in rule sets, shipped with Covenant as JSON documents: version 1 of the ids default,
// percent and threshold, always available without a registry (docs/rules.md works through each).
import type { RuleSet } from '../../model/ruleset.js';
import defaultRuleSet from './default.json' with { type: 'json' };
import percentRuleSet from './percent.json' with { type: 'json' };
import thresholdRuleSet from './threshold.json' with { type: 'json' };

export const builtInRuleSets: readonly RuleSet[] = [
  defaultRuleSet as RuleSet,
  percentRuleSet as RuleSet,
  thresholdRuleSet as RuleSet,
];

export function findBuiltInRuleSet(id: string, version: number): RuleSet | undefined {
  return builtInRuleSets.find((r) => r.id === id && r.version === version);
}

/** The built-in rule set of an id (its version 1), whatever version is asked for. */
export function builtInRuleSet(id: string): RuleSet | undefined {
  return builtInRuleSets.find((r) => r.id === id);
}
