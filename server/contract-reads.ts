// How the server reads contracts: from the read model (PostgreSQL), never in bulk from Temporal.
// A contract created a moment ago may not be projected yet: then, and only then, its workflow is
// asked. A change made through the API is answered once the read model shows it (or after a short
// wait), so the next read sees what was acknowledged.
import type { Client } from '@temporalio/client';
import { CovenantError } from '../model/errors.js';
import type { ReadModel, ProjectedState } from '../store/read-model.js';
import { stateQuery } from '../workflows/messages.js';
import type { ContractParties } from './auth/scope.js';
import { partiesOf } from './auth/scope.js';

/** How long an answer waits for the read model to show the change it acknowledges. */
const PROJECTION_WAIT_MS = 3_000;

export class ContractReads {
  constructor(
    private readonly client: Client,
    readonly readModel: ReadModel,
  ) {}

  /** A contract's state: 404 when there is no such contract. */
  async state(id: string): Promise<ProjectedState> {
    const projected = await this.readModel.state(id);
    if (projected) return projected;
    const state = await this.client.workflow.getHandle(id).query(stateQuery);
    return { ...state, version: state.version ?? 0 };
  }

  /** Who a contract belongs to, for access checks. */
  async parties(id: string): Promise<ContractParties> {
    return (await this.readModel.parties(id)) ?? partiesOf(await this.state(id));
  }

  /** Runs a change of a contract, then waits (briefly) until the read model shows it. */
  async change<T>(id: string, work: () => Promise<T>): Promise<T> {
    const before = await this.readModel.version(id);
    const result = await work();
    const deadline = Date.now() + PROJECTION_WAIT_MS;
    // Soon after, usually; under load, later: the pauses grow so that waiting costs little.
    for (let pause = 10; Date.now() < deadline && (await this.readModel.version(id)) <= before; ) {
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 200);
    }
    return result;
  }
}

/** A contract the read model and Temporal both do not know. */
export function noSuchContract(): CovenantError {
  return new CovenantError('not-found', [{ pointer: '', message: 'No such contract' }]);
}
