// Creating a contract, for the API (POST /api/v1/contracts) and the office's contract form alike:
// the terms are checked, their targets suggested from history and peers, and vetted by the rule
// set's guards before anything starts, so nothing is sent that vetting would refuse.
import type { Client } from '@temporalio/client';
import type { ContractInput } from '../model/contract.js';
import { CovenantError } from '../model/errors.js';
import type { RuleSet } from '../model/ruleset.js';
import { validateContract } from '../model/validation.js';
import { vettingFailures } from '../rules/vetting.js';
import { CONTRACT_WORKFLOW, STAGE, UNIT, type ContractWorkflowInput } from '../workflows/messages.js';
import { accessMemo } from './auth/visible-contracts.js';
import type { ContractReads } from './contract-reads.js';
import { ruleSetForContract } from './ruleset-registry.js';
import { withSuggestions } from './suggestions.js';

export interface CreationDeps {
  client: Client;
  taskQueue: string;
  reads: ContractReads;
  /** The categories a contract may name; any when absent. */
  categories?: readonly string[];
}

/** Terms ready to start: valid, in a category of this deployment, suggested and vetted. */
export async function prepareContract(deps: CreationDeps, body: unknown): Promise<ContractWorkflowInput> {
  const contract = validateContract(body);
  // /contracts/new is the contract form's address.
  if (contract.id.toLowerCase() === 'new')
    throw new CovenantError('invalid', [{ pointer: '/id', message: "'new' is not a contract id here: choose another" }]);
  const { categories } = deps;
  // A deployment that lists its categories (league tables are by category) wants one of them.
  if (categories && (contract.category === undefined || !categories.includes(contract.category))) {
    throw new CovenantError('invalid', [
      {
        pointer: '/category',
        message: `${contract.category === undefined ? 'is required' : `'${contract.category}' is not a category of this deployment`}: one of ${categories.join(', ')}`,
      },
    ]);
  }
  // Any published version, built in or registered; 400 at /ruleSet when there is none such.
  const ruleSet = await ruleSetForContract(deps.client, contract);
  contract.indicators = await withSuggestions(
    deps.reads.readModel,
    ruleSet,
    contract.indicators,
    contract.category,
    contract.id,
  );
  checkVetting(ruleSet, contract);
  return { contract, ruleSet };
}

/** Refuses terms that vetting would refuse, every reason at its pointer. */
function checkVetting(ruleSet: RuleSet, contract: ContractInput): void {
  const failures = vettingFailures(ruleSet, contract.period, contract.indicators);
  if (failures.length > 0) {
    throw new CovenantError(
      'invalid',
      failures.map((f) => ({ pointer: f.pointer, message: `[${f.guard}] ${f.message}` })),
    );
  }
}

/** Starts the contract's workflow; answered once the read model lists it (or after a short wait). */
export async function startContract(deps: CreationDeps, input: ContractWorkflowInput): Promise<void> {
  const { contract } = input;
  await deps.reads.change(contract.id, () =>
    deps.client.workflow.start(CONTRACT_WORKFLOW, {
      workflowId: contract.id,
      taskQueue: deps.taskQueue,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      memo: { title: contract.title, ...accessMemo(contract) },
      typedSearchAttributes: [
        { key: STAGE, value: 'negotiation' },
        { key: UNIT, value: contract.unit.name },
      ],
    }),
  );
}
