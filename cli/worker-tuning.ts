// The worker, set for portfolios: many contracts, each with small workflow tasks now and then. The
// workflow cache is bounded (a contract that falls out replays its year's history, a few hundred
// events, when it next has work), so the worker's memory does not grow with the portfolio.
import type { WorkerOptions } from '@temporalio/worker';
import type { Config } from './config.js';

export function workerTuning(config: Config): Partial<WorkerOptions> {
  return {
    maxCachedWorkflows: config.worker.cachedContracts,
    maxConcurrentWorkflowTaskExecutions: Math.min(config.worker.workflowTasks, config.worker.cachedContracts),
    maxConcurrentActivityTaskExecutions: config.worker.activities,
    // Most contracts are idle: a stuck sticky queue should hand its task to any worker quickly.
    stickyQueueScheduleToStartTimeout: '5 seconds',
  };
}
