// League tables: ranks in the rule set's direction, ties shared, scales apart, movement since the
// quarter before, unranked contracts and grade counts.
import { describe, expect, it } from 'vitest';
import { leagueTables, quarterBefore, type QuarterRow } from '../../model/league.js';

const row = (id: string, score: number | null, extra: Partial<QuarterRow> = {}): QuarterRow => ({
  id,
  title: `Contract ${id}`,
  unit: `Unit ${id}`,
  category: 'Counties',
  ruleSetId: 'default',
  ruleSetVersion: 1,
  score,
  grade: score === null ? null : score <= 3 ? 'Good' : 'Poor',
  ...extra,
});
const better = (id: string) => (id === 'default' ? 'lower' : 'higher');

describe('league tables', () => {
  it('ranks the lowest composite first on the inverted scale, ties sharing a rank', () => {
    const [table] = leagueTables(
      [row('A', 3.2), row('B', 2.1), row('C', 3.2), row('D', 4.5), row('E', null)],
      [],
      better,
    );
    expect(table!.entries.map((e) => [e.rank, e.contract])).toEqual([
      [1, 'B'],
      [2, 'A'],
      [2, 'C'],
      [4, 'D'],
    ]);
    expect(table!.unranked).toEqual([{ contract: 'E', title: 'Contract E', unit: 'Unit E', grade: null }]);
    expect(table!.grades).toEqual({ Good: 1, Poor: 3 });
    expect(table!.better).toBe('lower');
  });

  it('keeps categories and scales apart, ranks the highest first where higher is better, and says who moved', () => {
    const now = [
      row('A', 80, { ruleSetId: 'percent' }),
      row('B', 90, { ruleSetId: 'percent' }),
      row('C', 2.5),
      row('D', 3.5, { category: 'Ministries' }),
      row('F', 70, { ruleSetId: 'percent' }),
    ];
    const before = [row('A', 95, { ruleSetId: 'percent' }), row('B', 85, { ruleSetId: 'percent' })];
    const tables = leagueTables(now, before, better);
    expect(tables.map((t) => [t.category, t.ruleSet])).toEqual([
      ['Counties', 'default'],
      ['Counties', 'percent'],
      ['Ministries', 'default'],
    ]);
    expect(tables[1]!.entries.map((e) => [e.rank, e.contract, e.movement])).toEqual([
      [1, 'B', 1],
      [2, 'A', -1],
      [3, 'F', null],
    ]);
  });

  it('finds the quarter before, across the turn of the year', () => {
    expect(quarterBefore(2027, 'Q3')).toEqual({ year: 2027, period: 'Q2' });
    expect(quarterBefore(2027, 'Q1')).toEqual({ year: 2026, period: 'Q4' });
  });
});
