// A quarter's league tables from the read model, for the API and the portfolio dashboard: the
// quarter's reviewed contracts ranked per category and rule set, with movement since the quarter
// before (model/league.ts ranks them).
import { leagueTables, quarterBefore, type LeagueTable, type QuarterRow } from '../model/league.js';
import type { ReadModel } from '../store/read-model.js';
import type { Scale } from '../model/portfolio-review.js';

export type ScaleOf = (ruleSetId: string, version: number) => Promise<Scale>;

/** Ranks `rows` against `earlier`, each rule set in the direction of its scale. */
export async function rankRows(
  rows: QuarterRow[],
  earlier: QuarterRow[],
  scaleOf: ScaleOf,
): Promise<LeagueTable[]> {
  const better = new Map<string, 'higher' | 'lower'>();
  for (const row of [...rows, ...earlier]) {
    const key = `${row.ruleSetId}@${row.ruleSetVersion}`;
    if (!better.has(key)) better.set(key, (await scaleOf(row.ruleSetId, row.ruleSetVersion)).better);
  }
  return leagueTables(rows, earlier, (id, version) => better.get(`${id}@${version}`) ?? 'higher');
}

/** The tables of a quarter (`year`: the calendar year its contract-years began in). */
export async function quarterLeague(
  readModel: ReadModel,
  scaleOf: ScaleOf,
  year: number,
  quarter: string,
  category?: string,
): Promise<LeagueTable[]> {
  const before = quarterBefore(year, quarter);
  const [rows, earlier] = await Promise.all([
    readModel.quarter(year, quarter, category),
    readModel.quarter(before.year, before.period, category),
  ]);
  return rankRows(rows, earlier, scaleOf);
}
