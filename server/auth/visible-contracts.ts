// The contract list narrowed to what the caller may see. A unit known by its name is filtered in
// Temporal visibility; managers and units known by email are matched against the parties the
// contract route keeps in each workflow's memo, and a contract without them is asked its state.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { stateQuery } from '../../workflows/messages.js';
import { listContracts, type ContractFilters, type ContractListItem } from '../contract-list.js';
import type { Principal } from './principal.js';
import { mayAccess, partiesOf, seesEveryContract, type ContractParties } from './scope.js';

/** `principal` undefined: a caller the gate let through without a credential (loopback UI). */
export async function listVisibleContracts(
  client: Client,
  principal: Principal | undefined,
  filters: ContractFilters,
): Promise<ContractListItem[]> {
  if (!principal || seesEveryContract(principal)) return listContracts(client, filters);
  if (principal.role === 'unit' && principal.unit !== undefined && principal.email === undefined) {
    if (filters.unit !== undefined && filters.unit !== principal.unit) return [];
    return listContracts(client, { ...filters, unit: principal.unit });
  }
  return listContracts(client, filters, undefined, async (info) => {
    const parties = partiesInMemo(info) ?? (await partiesInState(client, info.workflowId));
    return parties !== undefined && mayAccess(principal, parties);
  });
}

/** The memo the contract route writes at creation: `{ title, parties }`. */
export function accessMemo(contract: Parameters<typeof partiesOf>[0]): { parties: ContractParties } {
  return { parties: partiesOf(contract) };
}

function partiesInMemo(info: WorkflowExecutionInfo): ContractParties | undefined {
  const parties = info.memo?.parties as Partial<ContractParties> | undefined;
  if (typeof parties?.unit !== 'string' || typeof parties.unitSignatory !== 'string') return undefined;
  if (!Array.isArray(parties.managers) || !parties.managers.every((m) => typeof m === 'string'))
    return undefined;
  return { unit: parties.unit, unitSignatory: parties.unitSignatory, managers: parties.managers };
}

/** A contract started without the memo; one that left retention since it was listed is not shown. */
async function partiesInState(client: Client, id: string): Promise<ContractParties | undefined> {
  try {
    return partiesOf(await client.workflow.getHandle(id).query(stateQuery));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}
