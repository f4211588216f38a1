// The workflow bundle, as every worker (and the replay tests and benches) builds it. The model and
// the rules are pure modules with no per-workflow state: the SDK's `preloadModules` loads them once
// per worker thread, before any workflow, and shares them (frozen) with every workflow, instead of
// evaluating them again for each workflow the worker creates or replays. Modules that call the
// workflow API (workflows/) must not be listed: they need a workflow to exist when they load.
import { join } from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { projectRoot } from './temporal-binaries.js';

type BundleLogger = Parameters<typeof bundleWorkflowCode>[0]['logger'];

/** Modules the workflows import from model/ and rules/ (with what they import, shared too). */
export const SHARED_MODULES = [
  'model/bytes.ts',
  'model/calendar.ts',
  'model/contract.ts',
  'model/errors.ts',
  'model/periods.ts',
  'model/phasing.ts',
  'model/ruleset.ts',
  'rules/evaluation.ts',
  'rules/period-context.ts',
  'rules/scoring.ts',
  'rules/targets.ts',
  'rules/ruleset-validation.ts',
];

export function bundleWorkflows(
  logger: BundleLogger,
  workflowsPath = join(projectRoot, 'workflows', 'index.ts'),
): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath,
    logger,
    preloadModules: SHARED_MODULES.map((m) => join(projectRoot, m)),
  });
}
