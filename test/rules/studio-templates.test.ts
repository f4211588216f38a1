import { describe, expect, it } from 'vitest';
import { evaluate, validate } from '../../rules/engine/index.js';
import type { BuiltCondition } from '../../model/ruleset.js';
import {
  CONDITION_FIELDS,
  compileCondition,
  conditionProblems,
  describeBuilt,
  type ConditionSlot,
} from '../../rules/conditions.js';
import { compileGuard, describeGuard, guardScope } from '../../rules/guard-templates.js';
import { contextOf } from '../../rules/ruleset-slots.js';

describe('guard templates', () => {
  it("refuses a target less ambitious than the history's latest actual, in the indicator's direction", () => {
    const t = { template: 'not-below-last-actual' } as const;
    const rule = compileGuard(t);
    expect(guardScope(t)).toBe('indicator');
    expect(validate(rule, contextOf('indicator-guard'))).toEqual([]);
    const passes = (target: number, history: number[] | null, direction = 'higher') =>
      evaluate(rule, { target, history, direction, baseline: 0 });
    expect(passes(80, [70, 78])).toBe(true);
    expect(passes(78, [70, 78])).toBe(true);
    expect(passes(75, [80, 78])).toBe(false);
    expect(passes(12, [20, 10], 'lower')).toBe(false);
    expect(passes(9, [20, 10], 'lower')).toBe(true);
    expect(passes(1, [])).toBe(true);
    expect(passes(1, null)).toBe(true);
    expect(describeGuard(t)).toContain('latest value of its history');
  });
});

describe('the condition builder', () => {
  it("offers only fields the slot's variables have", () => {
    for (const [slot, fields] of Object.entries(CONDITION_FIELDS) as [
      ConditionSlot,
      (typeof CONDITION_FIELDS)[ConditionSlot],
    ][]) {
      const context = contextOf(slot);
      for (const f of fields.it)
        expect(
          validate({ '==': [{ var: f.path }, 0] }, context).filter((d) => d.severity === 'error'),
          `${slot} ${f.path}`,
        ).toEqual([]);
      for (const f of fields.indicator)
        expect(
          validate({ some: [{ var: 'indicators' }, { '==': [{ var: f.path }, 0] }] }, context).filter(
            (d) => d.severity === 'error',
          ),
          `${slot} indicator ${f.path}`,
        ).toEqual([]);
    }
  });

  const condition: BuiltCondition = {
    join: 'or',
    groups: [
      {
        over: 'it',
        join: 'and',
        clauses: [
          { field: 'grade', op: 'in', value: ['Fair', 'Poor'] },
          { field: 'previous.last.composite', op: '>', value: 3.5 },
        ],
      },
      {
        over: 'some',
        join: 'and',
        clauses: [
          { field: 'actual', op: '<', other: 'periodTarget' },
          { field: 'weight', op: '>=', value: 20 },
        ],
      },
    ],
  };

  it('compiles groups of comparisons to JSON-Logic the validator accepts, a figure not reported never passing for a low one', () => {
    const rule = compileCondition('escalation', condition);
    expect(validate(rule, contextOf('escalation'))).toEqual([]);
    const review = (grade: string, last: number | null, actual: number | null, weight = 25) =>
      evaluate(rule, {
        grade,
        composite: 3,
        previous: { last: last === null ? null : { composite: last } },
        indicators: [{ actual, periodTarget: 80, weight }],
        missing: [],
      });
    expect(review('Fair', 3.8, 90)).toBe(true);
    expect(review('Fair', null, 90)).toBe(false);
    expect(review('Good', null, 70)).toBe(true);
    expect(review('Good', null, 70, 10)).toBe(false);
    expect(review('Good', null, null)).toBe(false);
    expect(describeBuilt('escalation', condition)).toBe(
      '(the grade is one of "Fair", "Poor" and the quarter before\'s composite is above 3.5) or (some indicator has actual is below quarter\'s target and weight is at least 20)',
    );
  });

  it('refuses a text compared as a number, an indicator field read on the review, a missing value, each at its place', () => {
    const wrong: BuiltCondition = {
      join: 'and',
      groups: [
        {
          over: 'it',
          join: 'and',
          clauses: [
            { field: 'grade', op: '<', value: 3 },
            { field: 'actual', op: '<', value: 3 },
            { field: 'composite', op: '>' },
          ],
        },
      ],
    };
    expect(conditionProblems('escalation', wrong).map((i) => [i.pointer, i.message])).toEqual([
      ['/groups/0/clauses/0/op', 'Group 1, comparison 1: the grade is a text: use is, is not, is one of.'],
      ['/groups/0/clauses/0/value', 'Group 1, comparison 1: give a text.'],
      [
        '/groups/0/clauses/1/field',
        "Group 1, comparison 2: actual is an indicator's field: read the group on some, every or no indicator.",
      ],
      ['/groups/0/clauses/2/value', 'Group 1, comparison 3: give a number.'],
    ]);
  });

  it('builds a vetting guard on the terms and on each indicator', () => {
    const terms = compileGuard({
      template: 'condition',
      scope: 'contract',
      condition: {
        join: 'and',
        groups: [
          { over: 'it', join: 'and', clauses: [{ field: 'indicators.length', op: '<=', value: 8 }] },
          { over: 'all', join: 'and', clauses: [{ field: 'weight', op: '>=', value: 5 }] },
        ],
      },
    });
    expect(validate(terms, contextOf('contract-guard'))).toEqual([]);
    expect(evaluate(terms, { indicators: [{ weight: 50 }, { weight: 50 }] })).toBe(true);
    expect(evaluate(terms, { indicators: [{ weight: 98 }, { weight: 2 }] })).toBe(false);
  });
});
