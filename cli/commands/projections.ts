// `covenant projections rebuild`: the read model recreated from Temporal, contract by contract:
// each contract's workflow is asked its state, which is written whatever version the read model
// holds. Lines of a contract's record already in the read model stay (the state keeps the latest).
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { ReadModel } from '../../store/read-model.js';
import { CONTRACT_WORKFLOW, stateQuery } from '../../workflows/messages.js';
import { UsageError } from './usage-error.js';

export const PROJECTIONS_USAGE = `Usage:
  covenant projections rebuild      the read model recreated from Temporal, contract by contract`;

/** Contracts rebuilt at once. */
const CONCURRENCY = 8;

export async function projectionsCommand(
  args: string[],
  client: Client,
  readModel: ReadModel,
  taskQueue: string,
  print: (line: string) => void,
): Promise<void> {
  if (args[0] !== 'rebuild' || args.length > 1) {
    throw new UsageError(
      args[0] ? `Unknown projections command '${args.join(' ')}'.` : 'Which projections command?',
      PROJECTIONS_USAGE,
    );
  }
  const started = Date.now();
  const { rebuilt, gone } = await rebuildProjections(client, readModel, taskQueue, (n) => {
    if (n % 1000 === 0) print(`  ${n} contracts...`);
  });
  print(
    `Rebuilt ${rebuilt} contracts in ${((Date.now() - started) / 1000).toFixed(1)} s${gone ? ` (${gone} listed but gone)` : ''}.`,
  );
}

/** Every contract of this task queue, as its workflow holds it now, into the read model. */
export async function rebuildProjections(
  client: Client,
  readModel: ReadModel,
  taskQueue: string,
  progress?: (done: number) => void,
): Promise<{ rebuilt: number; gone: number }> {
  const ids = new Set<string>();
  const query = `WorkflowType = '${CONTRACT_WORKFLOW}' AND TaskQueue = '${taskQueue.replaceAll("'", "\\'")}'`;
  for await (const info of client.workflow.list({ query })) ids.add(info.workflowId);
  const queue = [...ids];
  let rebuilt = 0;
  let gone = 0;
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      try {
        const state = await client.workflow.getHandle(id).query(stateQuery);
        await readModel.project({ ...state, version: state.version ?? 0 }, true);
        rebuilt += 1;
        progress?.(rebuilt);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        gone += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { rebuilt, gone };
}
