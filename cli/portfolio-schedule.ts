// The deployment's portfolio-review Schedule, created or brought up to date with the configuration
// at each worker's start (several starting at once: the first creates it, the others update it).
// A pause set by an admin survives restarts and updates.
//
// Policies (docs/portfolio.md): overlap BUFFER_ONE, so a quarter whose review is still waiting
// for late reports when the next one is due is followed, not skipped; catch-up window 30 days, so
// a review missed while Temporal was down runs when it is back, but not a stale one months later.
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptionsAction,
} from '@temporalio/client';
import {
  PORTFOLIO_REVIEW_WORKFLOW,
  portfolioScheduleId,
  type PortfolioReviewInput,
} from '../workflows/messages.js';
import type { Config } from './config.js';

const CATCHUP = '30 days';

export async function ensurePortfolioSchedule(client: Client, config: Config): Promise<void> {
  const { portfolio, taskQueue } = config;
  if (!portfolio.schedule) return;
  const id = portfolioScheduleId(taskQueue);
  const input: PortfolioReviewInput = {
    cutoffDays: portfolio.cutoffDays,
    annualCutoffDays: portfolio.annualCutoffDays,
    pollMinutes: portfolio.pollMinutes,
  };
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow',
    workflowType: PORTFOLIO_REVIEW_WORKFLOW,
    workflowId: id,
    taskQueue,
    args: [input],
  };
  const spec = { cronExpressions: [portfolio.schedule], timezone: portfolio.timeZone };
  const policies = { overlap: ScheduleOverlapPolicy.BUFFER_ONE, catchupWindow: CATCHUP };
  try {
    await client.schedule.create({ scheduleId: id, spec, action, policies });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw scheduleError(err);
    await client.schedule
      .getHandle(id)
      .update((previous) => ({
        spec,
        action,
        policies,
        state: {
          paused: previous.state.paused,
          ...(previous.state.note ? { note: previous.state.note } : {}),
        },
      }))
      .catch((e: unknown) => {
        throw scheduleError(e);
      });
  }
}

function scheduleError(err: unknown): Error {
  const message = (err as Error).message;
  return /cron|calendar|spec|time ?zone/i.test(message)
    ? new Error(`Invalid configuration: COVENANT_PORTFOLIO_SCHEDULE or COVENANT_TIME_ZONE: ${message}`)
    : (err as Error);
}
