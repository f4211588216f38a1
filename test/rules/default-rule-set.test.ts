// The built-in `default` rule set, checked against scores worked out by hand.
import { describe, expect, it } from 'vitest';
import type { Indicator } from '../../model/contract.js';
import { findBuiltInRuleSet } from '../../rules/library/index.js';
import { runGuards, scorePeriod } from '../../rules/scoring.js';

const ruleSet = findBuiltInRuleSet('default', 1)!;
const immunisation: Indicator = {
  id: 'imm',
  name: 'Immunised',
  direction: 'higher',
  baseline: 78,
  target: 85,
  weight: 40,
};
const deaths: Indicator = {
  id: 'mmr',
  name: 'Maternal deaths',
  direction: 'lower',
  baseline: 310,
  target: 280,
  weight: 60,
};

function score(indicator: Indicator, actual: number | null): number | null {
  return scorePeriod(ruleSet, [indicator], { [indicator.id]: actual }, 'Q1').indicators[0]!.score;
}

describe('the default rule set', () => {
  it('scores the baseline 5.00, the target 3.00 and 20% beyond the target 1.00, linear between, clamped', () => {
    expect([70, 78, 81.5, 85, 93.5, 102, 120].map((a) => score(immunisation, a))).toEqual([
      5, 5, 4, 3, 2, 1, 1,
    ]);
  });

  it('inverts the thresholds for lower-is-better indicators', () => {
    // 20% beyond a 280 target, downwards, is 224.
    expect([330, 310, 295, 280, 252, 224, 100].map((a) => score(deaths, a))).toEqual([5, 5, 4, 3, 2, 1, 1]);
  });

  it('scores a missing actual 5.00', () => {
    expect(score(immunisation, null)).toBe(5);
  });

  it('weights the composite and grades it by the bands', () => {
    const review = scorePeriod(ruleSet, [immunisation, deaths], { imm: 85, mmr: 252 }, 'Q1');
    expect(review.score).toBe(2.4); // (3 x 40 + 2 x 60) / 100
    expect(review.grade).toBe('Excellent');
    expect(review.escalations).toEqual([]);
    const poor = scorePeriod(ruleSet, [immunisation, deaths], { imm: 80 }, 'Q2');
    expect(poor).toMatchObject({
      score: 4.77, // (4.43 x 40 + 5 x 60) / 100
      grade: 'Poor',
      missing: ['mmr'],
    });
    expect(poor.escalations.map((e) => [e.id, e.notify])).toEqual([['fair-or-poor', ['managers']]]);
  });

  it.each([
    [2.4, 'Excellent'],
    [2.41, 'Very Good'],
    [3.0, 'Very Good'],
    [3.6, 'Good'],
    [4.0, 'Fair'],
    [4.01, 'Poor'],
  ])('grades a composite of %s as %s', (composite, grade) => {
    const indicator: Indicator = {
      id: 'x',
      name: 'x',
      direction: 'higher',
      baseline: 0,
      target: 100,
      weight: 100,
    };
    // The actual that scores exactly `composite`: baseline 0 scores 5, target 100 scores 3, 120 scores 1.
    const actual = composite > 3 ? ((5 - composite) / 2) * 100 : 100 + ((3 - composite) / 2) * 20;
    expect(scorePeriod(ruleSet, [indicator], { x: actual }, 'Q1').grade).toBe(grade);
  });

  it('vets weights, growth and the presence of indicators, pointing at what is wrong', () => {
    expect(runGuards(ruleSet, [immunisation, deaths])).toEqual([]);
    const timid = { ...deaths, target: 320, weight: 50 };
    expect(runGuards(ruleSet, [immunisation, timid]).map((f) => [f.guard, f.pointer])).toEqual([
      ['weights-sum-100', '/indicators'],
      ['growth-oriented', '/indicators/1'],
    ]);
    expect(
      runGuards(ruleSet, [
        { ...immunisation, weight: 33.3 },
        { ...deaths, weight: 33.3 },
        { ...deaths, id: 'z', weight: 33.4 },
      ]),
    ).toEqual([]);
    expect(runGuards(ruleSet, []).map((f) => f.guard)).toEqual(['min-indicators', 'weights-sum-100']);
    expect(runGuards(ruleSet, [{ ...immunisation, weight: 100 }]).map((f) => f.guard)).toEqual([
      'min-indicators',
    ]);
  });
});
