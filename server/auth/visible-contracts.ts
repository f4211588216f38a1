// The contract list narrowed to what the caller may see, from the read model: every contract for
// the performance office and viewers, a manager's by their email in the managers, a unit's by its
// name or its signatory's email.
import type { ContractFilters, ContractListItem, ListScope, ReadModel } from '../../store/read-model.js';
import type { Page } from '../../store/mail.js';
import type { Principal } from './principal.js';
import { partiesOf, seesEveryContract, type ContractParties } from './scope.js';

/** `principal` is always known here: the list's rows admit no caller without a credential. */
export function listVisibleContracts(
  readModel: ReadModel,
  principal: Principal | undefined,
  filters: ContractFilters,
  limit: number,
  cursor?: string,
): Promise<Page<ContractListItem>> {
  return readModel.list(filters, scopeOf(principal), limit, cursor);
}

function scopeOf(principal: Principal | undefined): ListScope {
  if (!principal) throw new Error('The contract list was asked for without a caller');
  if (seesEveryContract(principal)) return { all: true };
  if (principal.role === 'manager') return { managerEmail: principal.email ?? '' };
  return {
    ...(principal.unit !== undefined ? { unitName: principal.unit } : {}),
    ...(principal.email !== undefined ? { unitSignatory: principal.email } : {}),
  };
}

/** The memo the contract route writes at creation: `{ title, parties }` (for Temporal's own UI). */
export function accessMemo(contract: Parameters<typeof partiesOf>[0]): { parties: ContractParties } {
  return { parties: partiesOf(contract) };
}
