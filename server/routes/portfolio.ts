// The portfolio through the API: league tables of a quarter or a year from the read model, the
// published portfolio reviews, and the Schedule that starts them (admins trigger and pause it).
import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { Router } from 'express';
import { quarterLeague, rankRows } from '../league.js';
import { CovenantError } from '../../model/errors.js';
import { validator } from '../../model/validation.js';
import type { PortfolioStore } from '../../store/portfolio.js';
import type { ReadModel } from '../../store/read-model.js';
import {
  PORTFOLIO_REVIEW_WORKFLOW,
  portfolioScheduleId,
  type PortfolioReviewInput,
} from '../../workflows/messages.js';
import { principalOf } from '../auth/access.js';
import { ruleSetScales } from '../ruleset-registry.js';

export interface PortfolioDeps {
  client: Client;
  taskQueue: string;
  readModel: ReadModel;
  portfolio: PortfolioStore;
  /** The waits of a review started here: the deployment's (COVENANT_PORTFOLIO_*). */
  review: Omit<PortfolioReviewInput, 'year' | 'quarter'>;
}

interface ReviewRequest {
  year: number;
  quarter: string;
  cutoffDays?: number;
}

const checkReviewRequest = validator<ReviewRequest>({
  type: 'object',
  additionalProperties: false,
  required: ['year', 'quarter'],
  properties: {
    year: { type: 'integer', minimum: 1900, maximum: 2999 },
    quarter: { type: 'string', pattern: '^Q[1-9][0-9]?$' },
    cutoffDays: { type: 'number', minimum: 0, maximum: 366 },
  },
});

const checkPause = validator<{ note?: string }>({
  type: 'object',
  additionalProperties: false,
  properties: { note: { type: 'string', maxLength: 500 } },
});

export function portfolioRoutes(deps: PortfolioDeps): Router {
  const { client, readModel, portfolio } = deps;
  const router = Router();
  const scaleOf = ruleSetScales(client);
  const scheduleId = portfolioScheduleId(deps.taskQueue);

  // GET /api/v1/portfolio/league?year=2027&quarter=Q1&category=Counties: a quarter's tables;
  // ?year=2027 alone: the annual league table of the contract-years that began in 2027, from their
  // evaluations; neither: the quarter of the latest review.
  router.get('/league', async (req, res) => {
    const { year: yearText, quarter: asked, category } = req.query as Record<string, string | undefined>;
    if (asked && !yearText)
      throw missing('/year', 'the calendar year the contract-years began in, e.g. 2027');
    const latest = yearText ? undefined : await readModel.latestQuarter();
    if (!yearText && !latest) {
      res.json({ year: null, quarter: null, tables: [] });
      return;
    }
    const year = latest?.year ?? Number(yearText);
    const quarter = latest?.period ?? asked;
    const tables = quarter
      ? await quarterLeague(readModel, scaleOf, year, quarter, category)
      : await rankRows(
          await portfolio.annual(year, category),
          await portfolio.annual(year - 1, category),
          scaleOf,
        );
    res.json({
      year,
      ...(quarter ? { quarter } : { annual: true }),
      ...(category === undefined ? {} : { category }),
      tables,
    });
  });

  // The published reviews, latest version of each quarter and year, newest first.
  router.get('/reviews', async (_req, res) => {
    res.json({ items: await portfolio.reviews() });
  });

  // GET /api/v1/portfolio/reviews/2027-Q1 (or 2027-year for the annual table): its latest version,
  // or ?version=n; the figures the document shows, as data.
  router.get('/reviews/:quarter', async (req, res) => {
    const [, year, period] = /^([12][0-9]{3})-(Q[1-9][0-9]?|year)$/.exec(req.params.quarter) ?? [];
    if (!year || !period) {
      throw new CovenantError('invalid', [
        {
          pointer: '/quarter',
          message: 'must be a year and a quarter, e.g. 2027-Q1, or a year, e.g. 2027-year',
        },
      ]);
    }
    const version = typeof req.query.version === 'string' ? Number(req.query.version) : undefined;
    const found = await portfolio.review({ year: Number(year), period }, version);
    if (!found) {
      throw new CovenantError('not-found', [
        {
          pointer: '',
          message: `No portfolio review of ${req.params.quarter}${version ? ` version ${version}` : ''} has been published`,
        },
      ]);
    }
    res.json(found);
  });

  // POST /api/v1/portfolio/reviews {year, quarter, cutoffDays?}: reviews a named quarter now (again),
  // as the Schedule would; 202 with the run's workflow id.
  router.post('/reviews', async (req, res) => {
    const body = checkReviewRequest(req.body);
    const input: PortfolioReviewInput = {
      ...deps.review,
      year: body.year,
      quarter: body.quarter,
      ...(body.cutoffDays !== undefined ? { cutoffDays: body.cutoffDays } : {}),
    };
    const workflowId = `${scheduleId}-${body.year}-${body.quarter}-${Date.now()}`;
    await client.workflow.start(PORTFOLIO_REVIEW_WORKFLOW, {
      workflowId,
      taskQueue: deps.taskQueue,
      args: [input],
      memo: { by: principalOf(req)?.name ?? 'unknown' },
    });
    res.status(202).json({ workflowId });
  });

  // The Schedule: when it runs next, what it ran, whether it is paused.
  router.get('/schedule', async (_req, res) => {
    const description = await describe();
    const running = description.info.runningActions.map((a) => a.workflow.workflowId);
    res.json({
      id: scheduleId,
      paused: description.state.paused,
      ...(description.state.note ? { note: description.state.note } : {}),
      timeZone: description.spec.timezone ?? 'UTC',
      nextRuns: description.info.nextActionTimes.map((d) => d.toISOString()),
      recent: description.info.recentActions.map((a) => ({
        scheduledAt: a.scheduledAt.toISOString(),
        takenAt: a.takenAt.toISOString(),
        workflowId: a.action.workflow.workflowId,
      })),
      running,
      overlap: description.policies.overlap,
      catchupWindowMs: description.policies.catchupWindow,
    });
  });

  // Runs the Schedule's action now: a review of the quarter that ended last, beside any running.
  router.post('/schedule/trigger', async (_req, res) => {
    await describe();
    await client.schedule.getHandle(scheduleId).trigger(ScheduleOverlapPolicy.ALLOW_ALL);
    res.status(202).json({ triggered: scheduleId });
  });

  router.post('/schedule/pause', async (req, res) => {
    const { note } = checkPause(req.body ?? {});
    await describe();
    await client.schedule
      .getHandle(scheduleId)
      .pause(note ?? `Paused by ${principalOf(req)?.name ?? 'an admin'}`);
    res.json({ paused: true });
  });

  router.post('/schedule/unpause', async (req, res) => {
    const { note } = checkPause(req.body ?? {});
    await describe();
    await client.schedule
      .getHandle(scheduleId)
      .unpause(note ?? `Resumed by ${principalOf(req)?.name ?? 'an admin'}`);
    res.json({ paused: false });
  });

  async function describe() {
    try {
      return await client.schedule.getHandle(scheduleId).describe();
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
      throw new CovenantError('not-found', [
        {
          pointer: '',
          message: `No portfolio schedule ${scheduleId}: a worker creates it at start unless COVENANT_PORTFOLIO_SCHEDULE is off`,
        },
      ]);
    }
  }

  return router;
}

function missing(pointer: string, what: string): CovenantError {
  return new CovenantError('invalid', [{ pointer, message: `is required: ${what}` }]);
}
