// Proposed terms get each target's suggestion (rules/targets.ts) from the indicator's history and
// its peers in the read model, whatever the caller sent as a suggestion.
import type { Client } from '@temporalio/client';
import type { Indicator } from '../model/contract.js';
import type { RuleSet } from '../model/ruleset.js';
import { suggestTargets } from '../rules/targets.js';
import type { ReadModel } from '../store/read-model.js';
import type { ContractReads } from './contract-reads.js';
import { findPublishedVersion } from './ruleset-registry.js';

export async function withSuggestions(
  readModel: ReadModel,
  ruleSet: RuleSet,
  indicators: Indicator[],
  category: string | undefined,
  contractId: string,
): Promise<Indicator[]> {
  // Peers are contracts of the same category: a contract without one has none.
  const peers = category
    ? await readModel.peers(
        indicators.map((i) => i.id),
        category,
        contractId,
      )
    : {};
  const suggestions = suggestTargets(ruleSet, indicators, peers);
  return indicators.map((indicator, i) => ({ ...indicator, suggestion: suggestions[i]! }));
}

/** The same for a revision of a contract that exists: its pinned rule set and its category. */
export async function withSuggestionsFor(
  client: Client,
  reads: ContractReads,
  contractId: string,
  indicators: Indicator[],
): Promise<Indicator[]> {
  const state = await reads.state(contractId);
  const found = await findPublishedVersion(client, state.ruleSet.id, state.ruleSet.version);
  // No rule set to suggest with: no suggestion stands, certainly not one the caller sent.
  if (!found) return indicators.map(withoutSuggestion);
  return withSuggestions(reads.readModel, found.ruleSet, indicators, state.category, contractId);
}

function withoutSuggestion(indicator: Indicator): Indicator {
  const copy = { ...indicator };
  delete copy.suggestion;
  return copy;
}
