// Phased targets: what each quarter of a level, cumulative or to-date indicator is compared with,
// scored with the built-in rule set, and the checks that quarterly targets make the annual one.
import { describe, expect, it } from 'vitest';
import type { Indicator } from '../../model/contract.js';
import {
  periodIds,
  periodPhases,
  phaseShares,
  phasingIssues,
  quarterTargets,
  yearAggregation,
} from '../../model/phasing.js';
import type { RuleSet } from '../../model/ruleset.js';
import { evaluateYear, withTarget } from '../../rules/evaluation.js';
import { findBuiltInRuleSet } from '../../rules/library/index.js';
import { scorePeriod, type PeriodContext } from '../../rules/scoring.js';
import type { PeriodState } from '../../model/state.js';

const Q = periodIds(4);
const ruleSet = findBuiltInRuleSet('default', 1) as RuleSet;

const classrooms: Indicator = {
  id: 'classrooms',
  name: 'Classrooms built',
  direction: 'higher',
  baseline: 28,
  target: 40,
  weight: 50,
  measurement: 'cumulative',
};
const absorption: Indicator = {
  id: 'absorption',
  name: 'Development budget absorbed',
  unit: '%',
  direction: 'higher',
  baseline: 60,
  target: 75,
  weight: 50,
  measurement: 'to-date',
};

function context(
  indicators: Indicator[],
  index: number,
  quarters: Record<string, number | null>[],
): PeriodContext {
  return {
    phases: periodPhases(indicators, Q, index, quarters[index]!, quarters.slice(0, index)),
    previous: { periods: [], last: null, lastYear: null },
  };
}

describe('quarterly targets', () => {
  it('phases a cumulative target by share, a to-date one by share so far, and keeps a level one flat', () => {
    expect(quarterTargets(classrooms, Q)).toEqual([10, 10, 10, 10]);
    expect(quarterTargets({ ...classrooms, phasing: { Q1: 1, Q2: 2, Q3: 3, Q4: 2 } }, Q)).toEqual([
      5, 10, 15, 10,
    ]);
    expect(quarterTargets(absorption, Q)).toEqual([18.75, 37.5, 56.25, 75]);
    expect(quarterTargets({ ...absorption, measurement: 'level' }, Q)).toEqual([75, 75, 75, 75]);
    expect(quarterTargets({ ...classrooms, targets: { Q1: 4, Q2: 8, Q3: 12, Q4: 16 } }, Q)).toEqual([
      4, 8, 12, 16,
    ]);
    expect(phaseShares({ ...classrooms, targets: { Q1: 4, Q2: 8, Q3: 12, Q4: 16 } }, Q)).toEqual([
      0.1, 0.2, 0.3, 0.4,
    ]);
  });

  it('makes the year value by measurement unless the indicator says otherwise', () => {
    expect(yearAggregation(classrooms, 'mean')).toBe('sum');
    expect(yearAggregation(absorption, 'mean')).toBe('last');
    expect(yearAggregation({ ...absorption, measurement: 'level' }, 'mean')).toBe('mean');
    expect(yearAggregation({ ...classrooms, aggregation: 'max' }, 'mean')).toBe('max');
    expect(yearAggregation({ ...classrooms, measurement: undefined }, 'mean')).toBe('mean');
  });

  it('refuses quarterly targets that do not make the annual target, naming the field', () => {
    const wrong: Indicator[] = [
      { ...classrooms, targets: { Q1: 5, Q2: 10, Q3: 10, Q4: 10 } },
      { ...absorption, targets: { Q1: 20, Q2: 40, Q3: 60, Q5: 75 } },
      { ...absorption, id: 'level', measurement: 'level', phasing: { Q1: 1, Q2: 1, Q3: 1, Q4: 1 } },
      { ...classrooms, id: 'nothing', phasing: { Q1: 0 } },
      { ...classrooms, id: 'both', phasing: 'linear', targets: { Q1: 10, Q2: 10, Q3: 10, Q4: 10 } },
    ];
    const issues = phasingIssues(wrong, Q, 'mean');
    expect(issues).toEqual([
      {
        pointer: '/indicators/0/targets',
        message: 'the quarterly targets make a year value of 35 (their sum), not the annual target 40',
      },
      {
        pointer: '/indicators/1/targets/Q5',
        message: "'Q5' is not a quarter of this contract; it has Q1, Q2, Q3, Q4",
      },
      { pointer: '/indicators/1/targets', message: 'give a target for every quarter; Q4 missing' },
      {
        pointer: '/indicators/2/phasing',
        message:
          'a level indicator is compared with its target each quarter: phase it with explicit targets, or measure it cumulative or to-date',
      },
      { pointer: '/indicators/3/phasing', message: 'give at least one quarter a weight above 0' },
      { pointer: '/indicators/4/phasing', message: 'give explicit targets or a phasing profile, not both' },
    ]);
    expect(
      phasingIssues([{ ...classrooms, targets: { Q1: 4, Q2: 8, Q3: 12, Q4: 16 } }, absorption], Q, 'mean'),
    ).toEqual([]);
    // A level indicator's quarterly targets make the year by the rule set's aggregation.
    const level: Indicator = {
      ...absorption,
      measurement: 'level',
      targets: { Q1: 70, Q2: 74, Q3: 76, Q4: 80 },
    };
    expect(phasingIssues([level], Q, 'mean')).toEqual([]);
    expect(phasingIssues([level], Q, 'last')[0]?.message).toMatch(/year value of 80 \(the last quarter\)/);
  });

  it('scales explicit quarterly targets with a revised annual target', () => {
    const phased = { ...classrooms, targets: { Q1: 4, Q2: 8, Q3: 12, Q4: 16 } };
    expect(withTarget(phased, 50).targets).toEqual({ Q1: 5, Q2: 10, Q3: 15, Q4: 20 });
    expect(phasingIssues([withTarget(phased, 50)], Q, 'mean')).toEqual([]);
    expect(withTarget({ ...phased, target: 0 }, 8)).not.toHaveProperty('targets');
  });
});

describe('a quarter scored against its own target (the built-in default rule set)', () => {
  it('grades 6 classrooms in Q1 of a 40-classroom year on its quarter, not on the year', () => {
    const q1 = { classrooms: 6 };
    const alone = scorePeriod(ruleSet, [{ ...classrooms, weight: 100 }], q1, 'Q1');
    expect(alone.indicators[0]!.score).toBe(5);
    const phased = scorePeriod(
      ruleSet,
      [{ ...classrooms, weight: 100 }],
      q1,
      'Q1',
      context([classrooms], 0, [q1]),
    );
    // Linear: Q1's target is 10 and its baseline 7 (a quarter of last year's 28).
    expect(phased.indicators[0]).toMatchObject({ periodTarget: 10, actual: 6, actualToDate: 6, score: 5 });
    const slowStart = { ...classrooms, targets: { Q1: 5, Q2: 10, Q3: 12, Q4: 13 } };
    const onTrack = scorePeriod(
      ruleSet,
      [{ ...slowStart, weight: 100 }],
      q1,
      'Q1',
      context([slowStart], 0, [q1]),
    );
    expect(onTrack.indicators[0]).toMatchObject({ periodTarget: 5, actual: 6 });
    expect(onTrack.indicators[0]!.score).toBeLessThan(3);
    expect(onTrack.grade).not.toMatch(/Poor|Fair/);
  });

  it('adds a cumulative indicator up to date and a to-date one ends at the year value', () => {
    const quarters = [
      { classrooms: 9, absorption: 18 },
      { classrooms: 11, absorption: 30 },
      { classrooms: 10, absorption: 55 },
      { classrooms: 12, absorption: 78 },
    ];
    const q3 = scorePeriod(
      ruleSet,
      [classrooms, absorption],
      quarters[2]!,
      'Q3',
      context([classrooms, absorption], 2, quarters),
    );
    expect(q3.indicators.map((s) => [s.periodTarget, s.actual, s.actualToDate])).toEqual([
      [10, 10, 30],
      [56.25, 55, 55],
    ]);
    const periods = quarters.map(
      (actuals, i) => ({ id: Q[i], report: { actuals }, moderations: [] }) as unknown as PeriodState,
    );
    const year = evaluateYear(ruleSet, [classrooms, absorption], periods);
    expect(year.indicators.map((y) => [y.aggregation, y.actual])).toEqual([
      ['sum', 42],
      ['last', 78],
    ]);
    // Beyond both targets: scored better than the target's 3.00, where the mean (45.25) scored 5.00.
    expect(year.indicators.every((y) => y.score! < 3)).toBe(true);
  });

  it('phases the baseline and the criteria values like the target', () => {
    const withCriteria = { ...classrooms, criteria: { poor: 20, excellent: 48 } };
    const [phase] = periodPhases([withCriteria], Q, 1, { classrooms: 10 }, [{ classrooms: 9 }]);
    expect(phase).toEqual({
      periodTarget: 10,
      periodBaseline: 7,
      criteria: { poor: 5, excellent: 12 },
      actualToDate: 19,
      targetToDate: 20,
    });
  });
});
