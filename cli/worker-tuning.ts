// The worker, set for portfolios: many contracts, each with small workflow tasks now and then. The
// workflow cache is bounded (a contract that falls out replays its year's history, a few hundred
// events, when it next has work), so the worker's memory does not grow with the portfolio: unless
// COVENANT_WORKER_CACHE says how many contracts it keeps, their number follows from the memory the
// worker may use (COVENANT_WORKER_MEMORY_MB) and what a worker and a cached contract measured.
import type { WorkerOptions } from '@temporalio/worker';
import type { Config } from './config.js';

/**
 * RSS of a worker process with next to nothing cached (515 MB: V8, the SDK's runtime, two workflow
 * threads with the bundle), and what each cached contract adds at the peak of a quarter-end storm
 * (1.3 MB: its state, the state's JSON as last projected, its modules and pending promises, and the
 * garbage of replaying those that fell out), as measured with `npm run bench:storm --
 * --worker-process`: 515 MB at 20 contracts, a peak of 1,223 MB at 1,000 with 537 cached. Rounded up.
 */
const WORKER_BASE_MB = 540;
const CACHED_CONTRACT_MB = 1.3;

/** Contracts the workflow cache may keep within a worker's memory (at least 100). */
export function cacheForMemory(memoryMb: number): number {
  return Math.max(100, Math.floor((memoryMb - WORKER_BASE_MB) / CACHED_CONTRACT_MB));
}

export function workerTuning(config: Config): Partial<WorkerOptions> {
  return {
    maxCachedWorkflows: config.worker.cachedContracts,
    maxConcurrentWorkflowTaskExecutions: Math.min(config.worker.workflowTasks, config.worker.cachedContracts),
    maxConcurrentActivityTaskExecutions: config.worker.activities,
    // Most contracts are idle: a stuck sticky queue should hand its task to any worker quickly.
    stickyQueueScheduleToStartTimeout: '5 seconds',
  };
}
