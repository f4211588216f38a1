// What a contract costs the worker each time it enters the workflow cache: a new workflow (the
// bundle's modules evaluated for it) and the replay of its history. A portfolio larger than the
// cache pays this whenever an evicted contract has work. Prints CPU per replay, for each recorded
// history, with the bundle built as the worker builds it.
//   npm run bench:replay -- --times 200
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import proto from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { projectRoot } from '../cli/temporal-binaries.js';
import { bundleWorkflows } from '../cli/workflow-bundle.js';

const { values: args } = parseArgs({ options: { times: { type: 'string', default: '100' } } });
const times = Number(args.times);
Runtime.install({ logger: new DefaultLogger('ERROR') });
const workflowBundle = await bundleWorkflows(new DefaultLogger('ERROR'));
const dir = join(projectRoot, 'test', 'histories');
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
  const recorded = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    workflowId: string;
    history: object;
  };
  const history = proto.temporal.api.history.v1.History.fromObject(recorded.history);
  const copies = Array.from({ length: times }, (_, i) => ({
    workflowId: `${recorded.workflowId}-${i}`,
    history,
  }));
  const cpu = process.cpuUsage();
  for await (const result of Worker.runReplayHistories({ workflowBundle }, copies)) {
    if (result.error) throw result.error;
  }
  const used = process.cpuUsage(cpu);
  console.log(
    `${file.replace(/\.json$/, '')}: ${history.events.length} events, ${((used.user + used.system) / 1000 / times).toFixed(1)} ms CPU per replay`,
  );
}
