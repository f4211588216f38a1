// The portfolio dashboard: a quarter's league tables by category (colours by grade, movement since
// the quarter before), the grade distribution, the trend of each table over the last quarters,
// the contracts late with a report (those the visitor may see), and the published reviews.
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { LeagueTable } from '../../model/league.js';
import { quarterBefore } from '../../model/league.js';
import type { PortfolioStore } from '../../store/portfolio.js';
import type { ReadModel } from '../../store/read-model.js';
import { portfolioCharts, trendChart } from '../../templates/charts.js';
import { principalOf } from '../auth/access.js';
import { listVisibleContracts } from '../auth/visible-contracts.js';
import { quarterLeague, type ScaleOf } from '../league.js';
import type { Pages } from '../pages.js';
import { ruleSetScales } from '../ruleset-registry.js';

/** Quarters the trend looks back over, the one shown included. */
const TREND_QUARTERS = 8;
/** Late contracts listed. */
const LATE_LISTED = 200;

export interface DashboardDeps {
  client: Client;
  readModel: ReadModel;
  portfolio: PortfolioStore;
}

export function dashboardRoutes(deps: DashboardDeps, pages: Pages): Router {
  const { readModel } = deps;
  const router = Router();
  const scaleOf = ruleSetScales(deps.client);

  router.get('/portfolio', async (req, res) => {
    const asked = /^([12][0-9]{3})-(Q[1-9][0-9]?)$/.exec(
      typeof req.query.quarter === 'string' ? req.query.quarter : '',
    );
    if (req.query.quarter !== undefined && !asked) {
      return pages.send(res, 400, 'portfolio', {
        error: 'A quarter as the year its contract-years began and the quarter, e.g. 2027-Q1.',
        quarter: typeof req.query.quarter === 'string' ? req.query.quarter : '',
      });
    }
    const shown = asked ? { year: Number(asked[1]), period: asked[2]! } : await readModel.latestQuarter();
    const [late, reviews] = await Promise.all([
      listVisibleContracts(readModel, principalOf(req), { late: 'true' }, LATE_LISTED),
      deps.portfolio.reviews(),
    ]);
    if (!shown) return pages.send(res, 200, 'portfolio', { late: late.items, reviews });
    const tables = await quarterLeague(readModel, scaleOf, shown.year, shown.period);
    const scales = new Map<string, string[]>();
    for (const table of tables) {
      const [id, version] = table.ruleSet.split('@');
      scales.set(table.ruleSet, (await scaleOf(id!, Number(version ?? 1))).grades);
    }
    const ranked = tables.some((t) => t.entries.length > 0);
    const earlier = quarterBefore(shown.year, shown.period);
    pages.send(res, 200, 'portfolio', {
      quarter: `${shown.year}-${shown.period}`,
      earlier: `${earlier.year}-${earlier.period}`,
      tables: tables.map((t) => ({ ...t, scale: scales.get(t.ruleSet) ?? [] })),
      charts: ranked
        ? {
            ...(await portfolioCharts(distributionOf(tables, scales), movementOf(tables))),
            trend: await trendChart(await trendOf(readModel, scaleOf, shown.year, shown.period)),
          }
        : undefined,
      late: late.items,
      reviews,
    });
  });

  return router;
}

function distributionOf(tables: readonly LeagueTable[], scales: Map<string, string[]>) {
  return tables.flatMap((t) =>
    (scales.get(t.ruleSet) ?? Object.keys(t.grades)).map((grade, place) => ({
      category: t.category,
      ruleSet: t.ruleSet,
      grade,
      count: t.grades[grade] ?? 0,
      place,
    })),
  );
}

function movementOf(tables: readonly LeagueTable[]) {
  return tables.map((t) => ({
    category: t.category,
    ruleSet: t.ruleSet,
    up: t.entries.filter((e) => e.movement !== null && e.movement > 0).length,
    down: t.entries.filter((e) => e.movement !== null && e.movement < 0).length,
    same: t.entries.filter((e) => e.movement === 0).length,
    new: t.entries.filter((e) => e.movement === null).length,
  }));
}

/** Each table's mean composite over the last quarters, oldest first; quarters nobody was scored in left out. */
async function trendOf(readModel: ReadModel, scaleOf: ScaleOf, year: number, period: string) {
  const quarters = [{ year, period }];
  while (quarters.length < TREND_QUARTERS) {
    const before = quarterBefore(quarters[0]!.year, quarters[0]!.period);
    quarters.unshift({ year: before.year, period: before.period });
  }
  const points: { quarter: string; table: string; mean: number }[] = [];
  for (const q of quarters) {
    const tables = await quarterLeague(readModel, scaleOf, q.year, q.period);
    for (const t of tables) {
      if (t.entries.length === 0) continue;
      const mean = t.entries.reduce((sum, e) => sum + e.score, 0) / t.entries.length;
      points.push({
        quarter: `${q.year} ${q.period}`,
        table: `${t.category ?? 'No category'} · ${t.ruleSet}`,
        mean: Math.round(mean * 100) / 100,
      });
    }
  }
  return points;
}
