// The stored periods of many contracts, for what-if simulations: listed from Temporal visibility and
// read one by one through each contract's state query, a bounded number at a time.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { CovenantError } from '../model/errors.js';
import { simulationContract, type SimulationContract } from '../rules/simulate.js';
import { stateQuery, STAGE } from '../workflows/messages.js';
import { mapConcurrently } from './concurrency.js';
import { listContracts } from './contract-list.js';

/** Queries in flight at once: enough to keep Temporal busy, few enough to leave room for everyone else. */
export const QUERY_CONCURRENCY = 16;

/** The most contracts one simulation reads: a national portfolio. */
export const MAX_PORTFOLIO = 100_000;
/** The most contracts a request may name (beyond, simulate the whole portfolio). */
export const MAX_NAMED = 5_000;

/** Stages in which a contract can have reported or reviewed periods. */
const SCORED_STAGES = new Set(['active', 'evaluation', 'suspended', 'closed', 'terminated']);

/**
 * What a simulation needs of the named contracts (each once, however often named; 400 with the
 * pointer /contracts/<i> for an unknown one), or of every contract this server's workers run that
 * may hold scored periods. Each state is reduced as soon as it arrives: the full states are never
 * all held at once.
 */
export async function simulationContracts(
  client: Client,
  taskQueue: string,
  ids?: readonly string[],
): Promise<SimulationContract[]> {
  if (ids) {
    const first = new Map<string, number>();
    ids.forEach((id, i) => {
      if (!first.has(id)) first.set(id, i);
    });
    return mapConcurrently([...first], QUERY_CONCURRENCY, async ([id, i]) => {
      try {
        return simulationContract(await client.workflow.getHandle(id).query(stateQuery));
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        throw new CovenantError('invalid', [
          { pointer: `/contracts/${i}`, message: `No such contract '${id}'` },
        ]);
      }
    });
  }
  // Contracts of other task queues belong to other deployments sharing the namespace.
  const mayHavePeriods = (info: WorkflowExecutionInfo): Promise<boolean> =>
    Promise.resolve(
      info.taskQueue === taskQueue && SCORED_STAGES.has(info.typedSearchAttributes.get(STAGE) ?? ''),
    );
  const listed = await listContracts(client, {}, MAX_PORTFOLIO, mayHavePeriods);
  // A renewed contract lists each year's run; its state query answers from the latest.
  const unique = [...new Set(listed.map((item) => item.id))];
  return mapConcurrently(unique, QUERY_CONCURRENCY, async (id) =>
    simulationContract(await client.workflow.getHandle(id).query(stateQuery)),
  );
}
