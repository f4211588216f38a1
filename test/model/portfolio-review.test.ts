// What a portfolio review computes besides the league tables: each table's grades in its scale's
// order, who moved, and who stays in the two lowest grades of their own scale.
import { describe, expect, it } from 'vitest';
import type { QuarterRow } from '../../model/league.js';
import { portfolioSummary, scaleKey, type Scale } from '../../model/portfolio-review.js';

const row = (
  id: string,
  score: number | null,
  grade: string | null,
  extra: Partial<QuarterRow> = {},
): QuarterRow => ({
  id,
  title: `Contract ${id}`,
  unit: `Unit ${id}`,
  category: 'Counties',
  ruleSetId: 'default',
  ruleSetVersion: 1,
  score,
  grade,
  ...extra,
});
const scales = new Map<string, Scale>([
  [scaleKey('default', 1), { better: 'lower', grades: ['Excellent', 'Very Good', 'Good', 'Fair', 'Poor'] }],
  [scaleKey('stars', 2), { better: 'higher', grades: ['Gold', 'Silver', 'Bronze', 'None'] }],
]);

describe('portfolio summary', () => {
  it('lists grades in the scale order, counts movement, and finds repeats in the two lowest grades', () => {
    const summary = portfolioSummary({
      year: 2027,
      period: 'Q2',
      asOf: '2027-11-01T06:00:00.000Z',
      progress: { due: 6, done: 5 },
      rows: [
        row('A', 2.0, 'Good'),
        row('B', 3.6, 'Fair'),
        row('C', 4.8, 'Poor'),
        row('D', null, null),
        row('S1', 80, 'Bronze', { category: 'Ministries', ruleSetId: 'stars', ruleSetVersion: 2 }),
        row('S2', 40, 'None', { category: 'Ministries', ruleSetId: 'stars', ruleSetVersion: 2 }),
      ],
      before: [
        row('A', 3.7, 'Fair'),
        row('B', 4.1, 'Poor'),
        row('C', 3.0, 'Good'),
        row('S1', 75, 'Bronze', { category: 'Ministries', ruleSetId: 'stars', ruleSetVersion: 2 }),
        row('S2', 90, 'Gold', { category: 'Ministries', ruleSetId: 'stars', ruleSetVersion: 2 }),
      ],
      scales,
    });
    expect(summary.complete).toBe(false);
    expect(
      summary.distribution.filter((d) => d.category === 'Counties').map((d) => [d.grade, d.count]),
    ).toEqual([
      ['Excellent', 0],
      ['Very Good', 0],
      ['Good', 1],
      ['Fair', 1],
      ['Poor', 1],
    ]);
    // Counties (lower is better): A 2nd -> 1st, B 3rd -> 2nd, C 1st -> 3rd; Ministries: S1 up, S2 down.
    expect(summary.movement).toEqual([
      { category: 'Counties', ruleSet: 'default', up: 2, down: 1, same: 0, new: 0 },
      { category: 'Ministries', ruleSet: 'stars', up: 1, down: 1, same: 0, new: 0 },
    ]);
    // B: Poor then Fair (both among the two lowest); S1: Bronze twice (stars' two lowest are Bronze
    // and None); C fell from Good; S2 from Gold; A rose.
    expect(summary.lowGradeRepeats.map((r) => [r.contract, r.previousGrade, r.grade])).toEqual([
      ['B', 'Poor', 'Fair'],
      ['S1', 'Bronze', 'Bronze'],
    ]);
  });
});
