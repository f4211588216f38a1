// validate(): what a rule's author is told before a rule set is published.
import { describe, expect, it } from 'vitest';
import { validate, type ValidationContext } from '../../rules/engine/index.js';
import { contextOf } from '../../rules/ruleset-slots.js';

const context: ValidationContext = {
  variables: {
    actual: { type: ['number', 'null'], description: 'the reported value; null when not reported' },
    target: { type: 'number' },
    now: { type: 'string', description: 'the review date, YYYY-MM-DD' },
    indicator: {
      type: 'object',
      properties: {
        target: { type: 'number' },
        baseline: { type: ['number', 'null'] },
        direction: { type: 'string' },
      },
    },
    indicators: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          actual: { type: ['number', 'null'] },
          target: { type: 'number' },
          weight: { type: 'number' },
        },
      },
    },
    extra: { description: 'free-form: anything below is accepted' },
  },
};

const errors = (rule: unknown): string[] =>
  validate(rule, context)
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.pointer}: ${d.message}`);
const warnings = (rule: unknown): string[] =>
  validate(rule, context)
    .filter((d) => d.severity === 'warning')
    .map((d) => `${d.pointer}: ${d.message}`);

describe('validate', () => {
  it('accepts a sound rule with no diagnostics', () => {
    const rule = {
      if: [
        { '===': [{ var: 'actual' }, null] },
        5,
        {
          round: [
            {
              interpolate: [
                { var: 'actual' },
                [
                  [{ var: 'indicator.baseline' }, 5],
                  [{ var: 'target' }, 3],
                ],
              ],
            },
            2,
          ],
        },
      ],
    };
    expect(validate(rule, context)).toEqual([]);
  });

  it('names the allowed operators for an unknown one', () => {
    const [message] = errors({ '<': [{ var: 'actual' }, { pow: [2, 3] }] });
    expect(message).toMatch(/^\/<\/1: unknown operator "pow"; allowed: var missing .* date_after$/);
  });

  it('reports a fixed arity that is not met', () => {
    expect(errors({ '!': [1, 2] })).toEqual([
      ': "!" takes 1 argument, not 2 (not (an empty array is false))',
    ]);
    expect(errors({ if: [true, { '>': [1] }, 0] })).toEqual([
      expect.stringMatching(/^\/if\/1: ">" takes 2 arguments, not 1/),
    ]);
    expect(errors({ clamp: [1, 2] })).toEqual([expect.stringContaining('"clamp" takes 3 arguments, not 2')]);
    expect(errors({ '<': [1, { var: 'target' }, 3] })).toEqual([]);
  });

  it('suggests the closest variable for an unknown one', () => {
    expect(errors({ '<': [{ var: 'actaul' }, 3] })).toEqual([
      "/</0: unknown variable 'actaul'; did you mean 'actual'?",
    ]);
    expect(errors({ '<': [{ var: 'indicator.traget' }, 3] })).toEqual([
      "/</0: unknown variable 'indicator.traget'; did you mean 'indicator.target'?",
    ]);
    expect(errors({ var: 'Target' })).toEqual([": unknown variable 'Target'; did you mean 'target'?"]);
    expect(errors({ var: 'zzz' })[0]).toContain(
      'known here: actual, target, now, indicator, indicators, extra',
    );
  });

  it('checks variables inside iterators against the items, and reduce against current/accumulator', () => {
    expect(errors({ some: [{ var: 'indicators' }, { '<': [{ var: 'weigth' }, 1] }] })).toEqual([
      "/some/1/</0: unknown variable 'weigth'; did you mean 'weight'?",
    ]);
    expect(
      errors({
        reduce: [{ var: 'indicators' }, { '+': [{ var: 'acumulator' }, { var: 'current.weight' }] }, 0],
      }),
    ).toEqual(["/reduce/1/+/0: unknown variable 'acumulator'; did you mean 'accumulator'?"]);
    expect(
      errors({
        reduce: [{ var: 'indicators' }, { '+': [{ var: 'accumulator' }, { var: 'current.wieght' }] }, 0],
      }),
    ).toEqual(["/reduce/1/+/1: unknown variable 'current.wieght'; did you mean 'current.weight'?"]);
    expect(errors({ var: 'indicators.0.weight' })).toEqual([]);
    expect(errors({ var: 'indicators.length' })).toEqual([]);
    expect(errors({ var: 'extra.anything.below' })).toEqual([]);
  });

  it('warns that comparing a nullable variable lets missing data look like success', () => {
    const [warning] = warnings({ '>=': [{ var: 'actual' }, { var: 'target' }] });
    expect(warning).toContain("'actual' can be null");
    expect(warning).toContain('null >= 0 is true');
    expect(warning).toContain('{"!=": [{"var": "actual"}, null]}');
    expect(warnings({ '<=': [0, { var: 'indicator.baseline' }, 100] })[0]).toContain(
      "'indicator.baseline' can be null",
    );
    expect(warnings({ '==': [{ var: 'actual' }, { var: 'target' }] })[0]).toContain(
      'null == x holds only when x is null',
    );
    expect(warnings({ some: [{ var: 'indicators' }, { '<': [{ var: 'actual' }, 50] }] })).toHaveLength(1);
  });

  it('does not warn where the variable is checked for null first, or compared with null itself', () => {
    expect(warnings({ '==': [{ var: 'actual' }, null] })).toEqual([]);
    expect(
      warnings({ and: [{ '!=': [{ var: 'actual' }, null] }, { '>=': [{ var: 'actual' }, 3] }] }),
    ).toEqual([]);
    expect(
      warnings({ if: [{ '===': [{ var: 'actual' }, null] }, 0, { '>=': [{ var: 'actual' }, 3] }] }),
    ).toEqual([]);
    expect(warnings({ if: [{ missing: ['actual'] }, 0, { '>=': [{ var: 'actual' }, 3] }] })).toEqual([]);
    expect(warnings({ or: [{ '==': [{ var: 'actual' }, null] }, { '<': [{ var: 'actual' }, 3] }] })).toEqual(
      [],
    );
    expect(warnings({ if: [{ '!!': { var: 'actual' } }, { '<': [{ var: 'actual' }, 3] }, 0] })).toEqual([]);
    // The check guards only its own branch.
    expect(
      warnings({ if: [{ '!=': [{ var: 'actual' }, null] }, 1, { '<': [{ var: 'actual' }, 3] }] }),
    ).toHaveLength(1);
  });

  it('reports forbidden paths and literal objects that look like operations', () => {
    expect(errors({ var: 'indicator.constructor' })[0]).toContain('"constructor"');
    expect(warnings({ if: [true, { a: 1, b: 2 }, 0] })).toEqual([
      '/if/1: an object with 2 keys (a, b) is a literal value, not an operation: an operation has exactly one key',
    ]);
  });

  it('checks literal arguments of the domain operators', () => {
    expect(errors({ interpolate: [{ var: 'actual' }, [[0, 1], [5]]] })).toEqual([
      expect.stringMatching(/^\/interpolate\/1: interpolate needs points/),
    ]);
    expect(errors({ achievement: [{ var: 'actual' }, 5, 'up'] })[0]).toContain('"higher" or "lower"');
    expect(errors({ round: [1.5, 'two'] })[0]).toContain('whole number of digits');
    expect(errors({ clamp: [{ var: 'target' }, 5, 1] })[0]).toContain('above its upper bound');
    expect(errors({ quarter: [{ var: 'now' }, 13] })[0]).toContain('fiscal start month');
    expect(errors({ days_between: ['2024-02-30', { var: 'now' }] })[0]).toContain('is not a date');
    expect(errors({ date_before: [{ var: 'now' }, '2024-06-30'] })).toEqual([]);
  });

  it('reports limits as errors, and never throws, whatever it is given', () => {
    expect(errors({ cat: ['x'.repeat(10_001)] })).toEqual([
      expect.stringMatching(/^\/cat\/0: .*maxStringLength/),
    ]);
    expect(validate(() => 1)).toEqual([
      expect.objectContaining({ severity: 'error', message: 'a function is not a JSON value' }),
    ]);
    expect(validate(undefined)[0]!.severity).toBe('error');
  });

  it('without a context, checks structure but not variable names', () => {
    expect(validate({ '<': [{ var: 'anything' }, 3] })).toEqual([]);
    expect(validate({ frobnicate: [] })).toHaveLength(1);
  });
});

describe('a criterion read with a default', () => {
  const context = contextOf('indicator', ['goal']);
  const warnings = (rule: unknown) => validate(rule, context).filter((d) => d.severity === 'warning');

  it('is not warned about when the default cannot be null: an indicator sets a criterion or leaves it out', () => {
    expect(
      warnings({ '>=': [{ var: 'actual' }, { var: ['criteria.goal', { var: 'target' }] }] }),
    ).toHaveLength(1);
    expect(
      warnings({ '>=': [{ var: ['criteria.goal', { var: ['periodTarget', { var: 'target' }] }] }, 3] }),
    ).toEqual([]);
    expect(warnings({ '>=': [{ var: ['criteria.goal', 80] }, 3] })).toEqual([]);
  });

  it('is warned about when the default itself can be null, or without a default', () => {
    expect(warnings({ '>=': [{ var: ['criteria.goal', { var: 'actual' }] }, 3] })).toHaveLength(1);
    expect(warnings({ '>=': [{ var: 'criteria.goal' }, 3] })).toHaveLength(1);
    expect(warnings({ '>=': [{ var: ['criteria.goal', null] }, 3] })).toHaveLength(1);
  });
});
