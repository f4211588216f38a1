// The portfolio review of a quarter: started after the quarter by the deployment's Schedule (or
// by hand), it finds the quarter, waits until every due contract has its review or the cut-off
// passes, then publishes the league tables and the portfolio document and emails them. After the
// last quarter of the contract-years it waits in the same way for the annual evaluations and
// publishes the annual league table. The reading and rendering are activities on the read model.
import { proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../../activities/index.js';
import type { ReviewTarget } from '../../activities/portfolio.js';
import { nowIso, nowMs } from '../clock.js';
import type { PortfolioReviewInput, PortfolioReviewOutcome } from '../messages.js';

type Activities = ReturnType<typeof createActivities>;

const DAY = 86_400_000;

const { portfolioQuarter, portfolioProgress, publishPortfolioReview } = proxyActivities<Activities>({
  // Reading and rendering a national portfolio takes seconds; a database outage is waited out.
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

const { emailPortfolioReview } = proxyActivities<Activities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '15 minutes' },
});

export async function portfolioReviewWorkflow(input: PortfolioReviewInput): Promise<PortfolioReviewOutcome> {
  const { runId } = workflowInfo();
  const startedAt = nowMs();
  const target = await portfolioQuarter({
    asOf: new Date(startedAt).toISOString(),
    ...(input.year !== undefined && input.quarter ? { year: input.year, period: input.quarter } : {}),
  });
  if (!target) return { quarter: null };

  const quarter = await review(target, startedAt + input.cutoffDays * DAY, input.pollMinutes, runId);
  if (!target.last) return { quarter };
  const year: ReviewTarget = { year: target.year, period: 'year' };
  const annual = await review(
    year,
    nowMs() + input.annualCutoffDays * DAY,
    input.pollMinutes,
    `${runId}/year`,
  );
  return {
    quarter,
    annual: {
      year: annual.year,
      version: annual.version,
      document: annual.document,
      complete: annual.complete,
    },
  };
}

/** Waits for the target's reviews (or evaluations) until the cut-off, then publishes and emails. */
async function review(target: ReviewTarget, cutoff: number, pollMinutes: number, runId: string) {
  for (;;) {
    const progress = await portfolioProgress(target);
    const left = cutoff - nowMs();
    if (progress.done >= progress.due || left <= 0) break;
    await sleep(Math.min(left, pollMinutes * 60_000));
  }
  const published = await publishPortfolioReview({ target, asOf: nowIso(), runId });
  await emailPortfolioReview({ target, runId });
  return published;
}
