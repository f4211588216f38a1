// The built-in rule sets, shipped with Covenant as JSON documents.
import type { RuleSet } from '../../model/ruleset.js';
import defaultRuleSet from './default.json' with { type: 'json' };

export const builtInRuleSets: readonly RuleSet[] = [defaultRuleSet as RuleSet];

export function findBuiltInRuleSet(id: string, version: number): RuleSet | undefined {
  return builtInRuleSets.find((r) => r.id === id && r.version === version);
}
