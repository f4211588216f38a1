// The portfolio through the API: league tables of a quarter, from the read model.
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { CovenantError } from '../../model/errors.js';
import type { ReadModel } from '../../store/read-model.js';
import { leagueTables, quarterBefore } from '../league.js';
import { findPublishedVersion } from '../ruleset-registry.js';

export function portfolioRoutes(client: Client, readModel: ReadModel): Router {
  const router = Router();

  // GET /api/v1/portfolio/league?year=2027&quarter=Q1&category=Counties; without year and
  // quarter, the quarter of the latest review.
  router.get('/league', async (req, res) => {
    const { year: yearText, quarter: asked, category } = req.query as Record<string, string | undefined>;
    if (yearText && !asked) throw missing('/quarter', 'the quarter of the contract-year, e.g. Q1');
    if (asked && !yearText)
      throw missing('/year', 'the calendar year the contract-years began in, e.g. 2027');
    const latest = yearText ? undefined : await readModel.latestQuarter();
    if (!yearText && !latest) {
      res.json({ year: null, quarter: null, tables: [] });
      return;
    }
    const year = latest?.year ?? Number(yearText);
    const quarter = latest?.period ?? asked!;
    const before = quarterBefore(year, quarter);
    const [rows, earlier] = await Promise.all([
      readModel.quarter(year, quarter, category),
      readModel.quarter(before.year, before.period, category),
    ]);
    const directions = new Map<string, 'higher' | 'lower'>();
    for (const row of [...rows, ...earlier]) {
      const key = `${row.ruleSetId}@${row.ruleSetVersion}`;
      if (directions.has(key)) continue;
      const found = await findPublishedVersion(client, row.ruleSetId, row.ruleSetVersion);
      directions.set(key, found?.ruleSet.scoring.better ?? 'higher');
    }
    const tables = leagueTables(
      rows,
      earlier,
      (id, version) => directions.get(`${id}@${version}`) ?? 'higher',
    );
    res.json({ year, quarter, ...(category === undefined ? {} : { category }), tables });
  });

  return router;
}

function missing(pointer: string, what: string): CovenantError {
  return new CovenantError('invalid', [{ pointer, message: `is required: ${what}` }]);
}
