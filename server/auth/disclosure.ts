// What of a contract's record each caller may read. Decisions keep the client address and user
// agent of whoever decided, as evidence for the principal's side and the performance office; a unit
// reads who decided what and when, without them.
import type { ContractState, Decision } from '../../model/state.js';
import type { Principal } from './principal.js';

/** Decisions as this caller may read them. */
export function decisionsFor(principal: Principal | undefined, decisions: Decision[]): Decision[] {
  if (principal?.role !== 'unit') return decisions;
  return decisions.map(({ clientIp: _ip, userAgent: _agent, ...rest }) => rest);
}

/** A contract's state as this caller may read it. */
export function stateFor(principal: Principal | undefined, state: ContractState): ContractState {
  if (principal?.role !== 'unit') return state;
  return {
    ...state,
    decisions: decisionsFor(principal, state.decisions),
    years: state.years.map((y) =>
      y.decisions ? { ...y, decisions: decisionsFor(principal, y.decisions) } : y,
    ),
  };
}
