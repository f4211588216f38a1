// The public surface the rest of Covenant uses: compile once and run many times, RuleError, and
// json-logic-js behaviour that rule authors rely on.
import { describe, expect, it, vi } from 'vitest';
import { RuleError, compile, evaluate, interpret, operatorNames } from '../../rules/engine/index.js';

describe('compile', () => {
  it('compiles once: the same rule object gives the same function', () => {
    const rule = { '+': [{ var: 'a' }, 1] };
    const f = compile(rule);
    expect(compile(rule)).toBe(f);
    expect(f({ a: 1 })).toBe(2);
    expect(f({ a: 41 })).toBe(42);
  });

  it('compiles rules that are plain values', () => {
    expect(compile(7)({})).toBe(7);
    expect(compile(null)({})).toBeNull();
  });

  it('returns a fresh copy of literal objects, so a caller cannot change the rule', () => {
    const f = compile({ if: [true, { a: [1], b: 2 }, null] });
    const first = f({}) as { a: number[] };
    first.a.push(99);
    expect(f({})).toEqual({ a: [1], b: 2 });
  });

  it('throws RuleError with a pointer for a rule that cannot run', () => {
    const error = (() => {
      try {
        compile({ and: [true, { '<': [1, { nope: [] }] }] });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(RuleError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'RuleError', pointer: '/and/1/</1', code: 'unknown_operator' });
  });

  it('keeps RuleError’s constructor (message, pointer)', () => {
    const error = new RuleError('bad', '/if/0');
    expect(error.message).toBe('bad');
    expect(error.pointer).toBe('/if/0');
  });
});

describe('json-logic-js behaviour rule authors rely on', () => {
  const cases: [string, unknown, unknown, unknown][] = [
    ['null >= 0 is true (why validate warns)', { '>=': [{ var: 'missing' }, 0] }, {}, true],
    ['a default applies to absent values only, not to null', { var: ['a', 5] }, { a: null }, null],
    ['a default applies when a step meets null', { var: ['a.b', 5] }, { a: null }, 5],
    ['"0" is truthy, an empty array is not', { if: [{ and: ['0', [0]] }, 'yes', 'no'] }, {}, 'yes'],
    ['and/or return values', { or: [0, '', 'first truthy', 'x'] }, {}, 'first truthy'],
    ['+ parses strings', { '+': ['3.5', 1] }, {}, 4.5],
    ['== is loose, === strict', [{ '==': [1, '1'] }, { '===': [1, '1'] }], {}, [true, false]],
    ['< with three arguments is "between"', { '<': [0, { var: 'x' }, 10] }, { x: 5 }, true],
    ['var reads array indexes and lengths', [{ var: 'xs.1' }, { var: 'xs.length' }], { xs: [4, 5] }, [5, 2]],
    ['substr with negative indices', { substr: ['jsonlogic', -5, -2] }, {}, 'log'],
    ['max of nothing is -Infinity', { max: [] }, {}, -Infinity],
    [
      'reduce sees current and accumulator',
      { reduce: [{ var: 'xs' }, { '+': [{ var: 'current' }, { var: 'accumulator' }] }, 0] },
      { xs: [1, 2, 3] },
      6,
    ],
    [
      'inside an iterator, var reads the item',
      { map: [{ var: 'xs' }, { '*': [{ var: 'v' }, 2] }] },
      { xs: [{ v: 1 }, { v: 2 }] },
      [2, 4],
    ],
    ['* of -0 parses it to 0, as parseFloat does', { '*': [{ '-': [0] }, 5] }, {}, 0],
  ];

  it.each(cases)('%s', (_name, rule, data, expected) => {
    expect(evaluate(rule, data)).toStrictEqual(expected);
    expect(interpret(rule, data)).toStrictEqual(expected);
  });

  it('log returns its argument and prints nothing', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(evaluate({ log: { var: 'a' } }, { a: 'apple' })).toBe('apple');
    expect(interpret({ log: 'x' }, {})).toBe('x');
    expect(log).not.toHaveBeenCalled();
    log.mockRestore();
  });

  it('lists the operators, json-logic-js’s and Covenant’s, without method', () => {
    expect(operatorNames).toContain('missing_some');
    expect(operatorNames).toContain('days_between');
    expect(operatorNames).not.toContain('method');
  });
});
