// Which contracts a caller may touch, and for which party they speak. Checked after the body is
// parsed, from the contract's parties in the read model, so routes need no change.
import type { RequestHandler } from 'express';
import type { Party, Person } from '../../model/contract.js';
import { CovenantError } from '../../model/errors.js';
import type { PartyRole } from '../../model/state.js';
import type { ContractReads } from '../contract-reads.js';
import { grantOf } from './access.js';
import type { Principal } from './principal.js';

/** Who a contract belongs to, as far as access goes; emails in lower case. */
export interface ContractParties {
  unit: string;
  unitSignatory: string;
  managers: string[];
}

/**
 * The parties of a contract, from its state or its input. The contract route also keeps them in
 * the workflow's memo, so a list can be narrowed without asking every contract.
 */
export function partiesOf(contract: { unit: Party; managers: Person[] }): ContractParties {
  return {
    unit: contract.unit.name,
    unitSignatory: contract.unit.signatory.email.toLowerCase(),
    managers: contract.managers.map((m) => m.email.toLowerCase()),
  };
}

/** admin and viewer: every contract; manager: those listing their email; unit: their own. */
export function mayAccess(principal: Principal, parties: ContractParties): boolean {
  const email = principal.email?.toLowerCase();
  switch (principal.role) {
    case 'admin':
    case 'viewer':
      return true;
    case 'manager':
      return email !== undefined && parties.managers.includes(email);
    case 'unit':
      return (
        (principal.unit !== undefined && parties.unit === principal.unit) || email === parties.unitSignatory
      );
  }
}

/** A unit acts for the unit, a manager for the principal; the performance office for either. */
export function speaksFor(principal: Principal): PartyRole | undefined {
  if (principal.role === 'unit') return 'unit';
  if (principal.role === 'manager') return 'principal';
  return undefined;
}

/** admin and viewer see every contract: their requests need no look at a contract's parties. */
export function seesEveryContract(principal: Principal): boolean {
  return principal.role === 'admin' || principal.role === 'viewer';
}

export function checkScope(reads: ContractReads): RequestHandler {
  return async (req, _res, next) => {
    const grant = grantOf(req);
    const principal = grant?.principal;
    if (!grant || !principal) return next();
    const { permission, params } = grant;
    if (permission.scope && !seesEveryContract(principal)) {
      const id = permission.scope === 'contract' ? params.id : params.path;
      const contractId = Array.isArray(id) ? id[0] : id;
      if (!contractId) throw new CovenantError('not-found', [{ pointer: '', message: 'No such contract' }]);
      // Unknown contract: WorkflowNotFoundError, a 404 from the error handler.
      if (!mayAccess(principal, await reads.parties(contractId))) {
        throw new CovenantError('forbidden', [
          { pointer: '', message: `This ${principal.role} token does not cover contract ${contractId}.` },
        ]);
      }
    }
    const side = speaksFor(principal);
    if (permission.party && side) {
      const named: unknown = (req.body as Record<string, unknown> | undefined)?.[permission.party];
      // A missing or malformed field is the route's to report (400); a wrong party is ours.
      if (typeof named === 'string' && named !== side) {
        throw new CovenantError('forbidden', [
          {
            pointer: `/${permission.party}`,
            message: `A ${principal.role} token acts for the ${side} only.`,
          },
        ]);
      }
    }
    next();
  };
}
