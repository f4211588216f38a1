// The built-in percent and threshold rule sets, through the same functions a contract's workflow
// calls (scorePeriod, runGuards, renewIndicators), against numbers worked out by hand.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../cli/temporal-binaries.js';
import type { ContractInput, Indicator } from '../../model/contract.js';
import type { IndicatorYear } from '../../model/state.js';
import { renewIndicators } from '../../rules/evaluation.js';
import { builtInRuleSets, findBuiltInRuleSet } from '../../rules/library/index.js';
import { runGuards, scorePeriod } from '../../rules/scoring.js';

const percent = findBuiltInRuleSet('percent', 1)!;
const threshold = findBuiltInRuleSet('threshold', 1)!;
const defaults = findBuiltInRuleSet('default', 1)!;

const immunisation: Indicator = {
  id: 'imm',
  name: 'Immunised',
  direction: 'higher',
  baseline: 78,
  target: 85,
  weight: 60,
};
const deaths: Indicator = {
  id: 'mmr',
  name: 'Maternal deaths',
  direction: 'lower',
  baseline: 310,
  target: 280,
  weight: 40,
};
const payments: Indicator = {
  id: 'pay',
  name: 'On-time payments',
  direction: 'higher',
  baseline: 50,
  target: 80,
  weight: 60,
};
const stockouts: Indicator = {
  id: 'stock',
  name: 'Stock-outs',
  direction: 'lower',
  baseline: 20,
  target: 10,
  weight: 40,
};

function yearOf(indicator: Indicator, actual: number | null): IndicatorYear {
  return { ...indicator, aggregation: 'mean', actual, score: 0 };
}

describe('percent (criteria values 100/90/80/70/60)', () => {
  it('interpolates between the criteria values and weights the composite', () => {
    // 83 lies 5 of 7 units from 78 (60) to 85 (90): 60 + 5 x 30/7 = 81.43. 290 lies one 10-unit
    // step from 280 (90) towards 310 (60): 80. Composite (81.43 x 60 + 80 x 40) / 100 = 80.858.
    const review = scorePeriod(percent, [immunisation, deaths], { imm: 83, mmr: 290 }, 'Q1');
    expect(review.indicators.map((i) => i.score)).toEqual([81.43, 80]);
    expect(review.score).toBe(80.86);
    expect(review.grade).toBe('Good');
    expect(review.escalations).toEqual([]);
  });

  it('scores below Poor as 60 and a missing actual as 0, and says why each escalation fired', () => {
    // 76 is below the Poor value 78: 60. Maternal deaths not reported: 0. (60 x 60 + 0) / 100 = 36.
    const review = scorePeriod(percent, [immunisation, deaths], { imm: 76, mmr: null }, 'Q2');
    expect(review).toMatchObject({ score: 36, grade: 'Poor', missing: ['mmr'] });
    expect(review.escalations.map((e) => [e.id, e.severity, e.notify])).toEqual([
      ['fair-or-poor', 'high', ['managers', 'principal']],
      ['indicator-at-poor', 'medium', ['unit-head']],
      ['not-reported', 'low', ['unit']],
    ]);
    const [grade, atPoor, missing] = review.escalations.map((e) => e.why);
    expect(grade).toEqual(['grade ("Poor") in ["Fair", "Poor"] → true']);
    expect(atPoor).toEqual([
      'some over indicators (2 items) → true',
      '  [imm] and(true, true) → true',
      '    [imm] actual (76) != null → true',
      '    [imm] score (60) <= 60 → true',
    ]);
    expect(missing).toEqual(['missing.length (1) > 0 → true']);
  });

  it('lets an indicator set its own criteria values', () => {
    const own = { ...immunisation, criteria: { poor: 60, fair: 70, good: 80, veryGood: 90, excellent: 100 } };
    expect(scorePeriod(percent, [own], { imm: 95 }, 'Q1').indicators[0]!.score).toBe(95);
    expect(
      runGuards(percent, [
        { ...own, weight: 50 },
        { ...deaths, weight: 50 },
      ]),
    ).toEqual([]);
    const disordered = { ...own, criteria: { veryGood: 85, good: 90 } };
    expect(
      runGuards(percent, [
        { ...disordered, weight: 50 },
        { ...deaths, weight: 50 },
      ]),
    ).toEqual([
      {
        guard: 'criteria-ordered',
        message: "imm: The criteria values must run from Poor to Excellent in the indicator's direction.",
        pointer: '/indicators/0',
      },
    ]);
  });

  it('proposes next year: the better of target and actual, plus a third of the way baseline to target', () => {
    const renewed = renewIndicators(
      percent,
      [immunisation, deaths],
      [yearOf(immunisation, 90), yearOf(deaths, 270)],
    );
    expect(renewed.map((i) => [i.baseline, i.target])).toEqual([
      [90, 92.33], // 90 + 7/3
      [270, 260], // 270 - 10
    ]);
  });
});

describe('threshold (red flag and goal to 0-10)', () => {
  it('maps the red flag to 3.33, the goal to 6.67, linear and clamped, either direction', () => {
    // (10/3)(1 + (65 - 50)/(80 - 50)) = 5; (10/3)(1 + (12 - 20)/(10 - 20)) = 6. (5 x 60 + 6 x 40) / 100 = 5.4.
    const review = scorePeriod(threshold, [payments, stockouts], { pay: 65, stock: 12 }, 'Q1');
    expect(review.indicators.map((i) => i.score)).toEqual([5, 6]);
    expect(review).toMatchObject({ score: 5.4, grade: 'Amber', escalations: [] });
    const score = (actual: number) =>
      scorePeriod(threshold, [payments], { pay: actual }, 'Q1').indicators[0]!.score;
    expect([20, 50, 80, 95, 110, 200].map(score)).toEqual([0, 3.33, 6.67, 8.33, 10, 10]);
  });

  it('goes Red past the red flags and escalates', () => {
    // 45: (10/3)(1 - 5/30) = 2.78; 22: (10/3)(1 + 2/-10) = 2.67; (2.78 x 60 + 2.67 x 40) / 100 = 2.736.
    const review = scorePeriod(threshold, [payments, stockouts], { pay: 45, stock: 22 }, 'Q3');
    expect(review.indicators.map((i) => i.score)).toEqual([2.78, 2.67]);
    expect(review).toMatchObject({ score: 2.74, grade: 'Red' });
    expect(review.escalations.map((e) => e.id)).toEqual(['red', 'red-flag-breached']);
    expect(review.escalations[1]!.why).toEqual([
      'some over indicators (2 items) → true',
      '  [pay] and(true, true) → true',
      '    [pay] actual (45) != null → true',
      '    [pay] score (2.78) < 3.33 → true',
    ]);
  });

  it("takes an indicator's own red flag and goal, and vets their order", () => {
    const own = { ...payments, criteria: { redFlag: 60, goal: 90 } };
    expect(scorePeriod(threshold, [own], { pay: 75 }, 'Q1').indicators[0]!.score).toBe(5);
    const backwards = { ...payments, criteria: { redFlag: 90, goal: 80 } };
    expect(runGuards(threshold, [backwards, stockouts]).map((f) => [f.guard, f.pointer])).toEqual([
      ['goal-beyond-red-flag', '/indicators/0'],
    ]);
  });

  it('proposes next year: the better of target and actual, plus half the planned improvement', () => {
    const renewed = renewIndicators(
      threshold,
      [payments, stockouts],
      [yearOf(payments, 90), yearOf(stockouts, 12)],
    );
    expect(renewed.map((i) => [i.baseline, i.target])).toEqual([
      [90, 105],
      [12, 5],
    ]);
  });
});

describe('the built-in library', () => {
  const example = JSON.parse(
    readFileSync(join(projectRoot, 'examples', 'county-health-2027.json'), 'utf8'),
  ) as ContractInput;

  it('vets the shipped example contract under every built-in rule set', () => {
    for (const ruleSet of builtInRuleSets) expect(runGuards(ruleSet, example.indicators)).toEqual([]);
  });

  it('lets a default indicator set its own poor and excellent values', () => {
    const own = { ...immunisation, criteria: { poor: 70, excellent: 95 } };
    // 90 lies halfway from the target 85 (3.00) to 95 (1.00).
    expect(scorePeriod(defaults, [own], { imm: 90 }, 'Q1').indicators[0]!.score).toBe(2);
    expect(scorePeriod(defaults, [own], { imm: 70 }, 'Q1').indicators[0]!.score).toBe(5);
  });
});
