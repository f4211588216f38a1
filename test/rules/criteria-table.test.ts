import { describe, expect, it } from 'vitest';
import type { CriteriaTable } from '../../model/ruleset.js';
import {
  compileTable,
  declaredBy,
  describeTable,
  rowsUsed,
  tableOf,
  tableProblems,
} from '../../rules/criteria-table.js';
import { evaluate, validate } from '../../rules/engine/index.js';
import { builtInRuleSet } from '../../rules/library/index.js';
import { contextOf } from '../../rules/ruleset-slots.js';

const defaults = builtInRuleSet('default')!;

const score = (rule: unknown, actual: number | null, direction = 'higher', criteria: object | null = null) =>
  evaluate(rule, {
    actual,
    direction,
    baseline: direction === 'higher' ? 60 : 20,
    target: direction === 'higher' ? 80 : 10,
    periodBaseline: direction === 'higher' ? 60 : 20,
    periodTarget: direction === 'higher' ? 80 : 10,
    criteria,
  });

describe('criteria tables (scoring.indicator as rows)', () => {
  it("reads the built-in default's indicator rule as a table, which scores as it does wherever rows do not meet", () => {
    const table = tableOf(defaults.scoring.indicator);
    expect(table).toEqual({
      kind: 'criteria',
      method: 'interpolate',
      missing: 5,
      decimals: 2,
      rows: [
        { criterion: 'poor', at: { from: 'baseline' }, score: 5 },
        { at: { from: 'target' }, score: 3 },
        { criterion: 'excellent', at: { from: 'beyond-target', share: 0.2 }, score: 1 },
      ],
    });
    const rule = compileTable(table!);
    expect(tableOf(rule)).toEqual(table);
    expect(validate(rule, contextOf('indicator', ['poor', 'excellent']))).toEqual([]);
    for (const direction of ['higher', 'lower'])
      for (let actual = 0; actual <= 120; actual += 0.5)
        expect(score(rule, actual, direction), `${direction} ${actual}`).toBe(
          score(defaults.scoring.indicator, actual, direction),
        );
    expect(describeTable(table!)).toEqual([
      'When the actual is not reported, the score is 5.',
      'Otherwise the score runs in a straight line between 5 at the baseline (or the indicator\'s own "poor"), 3 at the target and 1 at 20% beyond the target (or the indicator\'s own "excellent"), no further than the first and last, rounded to 2 decimals.',
    ]);
  });

  it('scores rows that meet at one value as the better row (a target of 0; a baseline equal to the target)', () => {
    const rule = compileTable(tableOf(defaults.scoring.indicator)!);
    const at = (actual: number, direction: string, baseline: number, target: number) =>
      evaluate(rule, {
        actual,
        direction,
        baseline,
        target,
        periodBaseline: baseline,
        periodTarget: target,
      });
    // Lower is better, 20 down to 0: the excellent row (20% beyond 0) meets the target.
    expect([20, 10, 1, 0].map((a) => at(a, 'lower', 20, 0))).toEqual([5, 4, 3.1, 1]);
    // The one interpolation of the built-in default scores 10 as 3 there.
    expect(
      evaluate(defaults.scoring.indicator, { actual: 10, direction: 'lower', baseline: 20, target: 0 }),
    ).toBe(3);
    // Higher is better, baseline = target = 60: meeting it scores the target's 3, beyond it better.
    expect([59, 60, 66, 72].map((a) => at(a, 'higher', 60, 60))).toEqual([5, 3, 2, 1]);
  });

  it('leaves any other rule as a rule: the percent scale (thirds written as divisions) is not read as a table', () => {
    expect(tableOf(builtInRuleSet('percent')!.scoring.indicator)).toBeUndefined();
    expect(tableOf(builtInRuleSet('threshold')!.scoring.indicator)).toBeUndefined();
    expect(tableOf({ '+': [1, 2] })).toBeUndefined();
  });

  it('interpolates in both directions, clamped at the ends, and lets an indicator move a named row', () => {
    const rule = compileTable(tableOf(defaults.scoring.indicator)!);
    expect(score(rule, 70)).toBe(4);
    expect(score(rule, 88)).toBe(2);
    expect(score(rule, 200)).toBe(1);
    expect(score(rule, 0)).toBe(5);
    expect(score(rule, null)).toBe(5);
    expect(score(rule, 15, 'lower')).toBe(4);
    expect(score(rule, 8, 'lower')).toBe(1);
    expect(score(rule, 70, 'higher', { poor: 70 })).toBe(5);
  });

  it('steps: the best row reached, in the indicator direction, and the score short of the first row', () => {
    const table: CriteriaTable = {
      kind: 'criteria',
      method: 'step',
      missing: 0,
      below: 10,
      rows: [
        { at: { from: 'baseline' }, score: 40 },
        { at: { from: 'span', share: 0.5 }, score: 70 },
        { criterion: 'goal', at: { from: 'target' }, score: 100 },
      ],
    };
    expect(tableProblems(table, 'higher')).toEqual([]);
    const rule = compileTable(table);
    expect(validate(rule, contextOf('indicator', ['goal']))).toEqual([]);
    expect(tableOf(rule)).toEqual(table);
    expect([59, 60, 69, 70, 80, 95].map((a) => score(rule, a))).toEqual([10, 40, 40, 70, 100, 100]);
    expect([21, 20, 15, 10].map((a) => score(rule, a, 'lower'))).toEqual([10, 40, 70, 100]);
    expect(score(rule, null)).toBe(0);
    expect(score(rule, 75, 'higher', { goal: 75 })).toBe(100);
    expect(describeTable(table)).toContain(
      "When the actual is at or beyond 50% of the way from the baseline to the target, in the indicator's direction, the score is 70.",
    );
  });

  it('refuses rows out of order, scores that do not improve, a criterion named twice, each at its row', () => {
    const table: CriteriaTable = {
      kind: 'criteria',
      method: 'interpolate',
      missing: 5,
      rows: [
        { criterion: 'poor', at: { from: 'target' }, score: 5 },
        { criterion: 'poor', at: { from: 'baseline' }, score: 3 },
        { at: { from: 'beyond-target', share: 0.1 }, score: 4 },
        { at: { from: 'span', share: 0.5 }, score: 1 },
      ],
    };
    expect(tableProblems(table, 'lower').map((i) => i.pointer)).toEqual([
      '/rows/1/criterion',
      '/rows/1/at',
      '/rows/2/score',
      '/rows/3/at',
    ]);
    expect(tableProblems(table, 'lower')[1]!.message).toBe(
      "Row 2: the baseline is not beyond row 1's the target: rows go from the worst value to the best, so these would overlap.",
    );
    expect(
      tableProblems({ kind: 'criteria', method: 'step', missing: 0, rows: [] }, 'higher').map(
        (i) => i.pointer,
      ),
    ).toEqual(['/rows', '/below']);
  });

  it("keeps the rule set's own words for a criterion left as it was, and describes a changed one anew", () => {
    const before = tableOf(defaults.scoring.indicator)!;
    const after: CriteriaTable = {
      ...before,
      rows: [
        before.rows[0]!,
        before.rows[1]!,
        { ...before.rows[2]!, at: { from: 'beyond-target', share: 0.3 } },
      ],
    };
    expect(declaredBy(after, defaults.scoring.criteria, before)).toEqual({
      poor: defaults.scoring.criteria!.poor,
      excellent: 'the value that scores 1; default: 30% beyond the target',
    });
  });

  it("says which rows gave an actual its score, reading the indicator's own criterion first", () => {
    const table = tableOf(defaults.scoring.indicator)!;
    const input = { periodBaseline: 60, periodTarget: 80, direction: 'higher' };
    expect(rowsUsed(table, { ...input, actual: 70 })).toBe(
      'between row 1 (the baseline, 60) and row 2 (the target, 80)',
    );
    expect(rowsUsed(table, { ...input, actual: 99 })).toBe('row 3 (20% beyond the target, 96) reached');
    expect(rowsUsed(table, { ...input, actual: 50 })).toBe('short of row 1 (the baseline, 60)');
    expect(rowsUsed(table, { ...input, actual: 50, criteria: { poor: 40 } })).toBe(
      'between row 1 (the baseline, 40) and row 2 (the target, 80)',
    );
    expect(
      rowsUsed(table, { ...input, actual: 15, periodBaseline: 20, periodTarget: 10, direction: 'lower' }),
    ).toBe('between row 1 (the baseline, 20) and row 2 (the target, 10)');
    expect(rowsUsed(table, { ...input, actual: null })).toBe('not reported');
  });
});
