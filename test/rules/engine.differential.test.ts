// Property-based differential testing: on generated rules and data, the compiled engine and the
// interpreter give exactly what json-logic-js 2.0.5 gives. Excluded by construction, as documented
// intentional differences: forbidden paths and inherited properties (read as null here), functions
// in data, and `log` (which prints in json-logic-js). Where json-logic-js throws a TypeError, the
// engine must not throw anything but a RuleError.
import fc from 'fast-check';
import jsonLogic from 'json-logic-js';
import { describe, expect, it } from 'vitest';
import { RuleError, evaluate, interpret } from '../../rules/engine/index.js';

const KEYS = ['a', 'b', 'c', 'x', 'y'] as const;
const key = fc.constantFrom(...KEYS);

const primitive = fc.oneof(
  fc.integer({ min: -5, max: 120 }),
  fc.double({ min: -1000, max: 1000, noNaN: true }),
  fc.constantFrom('', '0', '1', '10', ' 2 ', 'abc', 'a', 'b', 'a.b', 'x.0', '1,2'),
  fc.boolean(),
  fc.constant(null),
);

const value = fc.letrec((tie) => ({
  value: fc.oneof(
    { maxDepth: 3, depthSize: 'small' },
    primitive,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 3, noNullPrototype: true }),
  ),
})).value;

const data = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(key, value, { maxKeys: 5, noNullPrototype: true }) },
  { weight: 1, arbitrary: value },
);

const path = fc.oneof(
  key,
  fc.constantFrom(
    '',
    'a.b',
    'a.0',
    'x.1.a',
    'a.length',
    'b.c.d',
    'current',
    'accumulator',
    'current.a',
    'accumulator.x',
  ),
  fc.integer({ min: 0, max: 3 }),
);

const OPERATORS = [
  '==',
  '===',
  '!=',
  '!==',
  '>',
  '>=',
  '<',
  '<=',
  '!',
  '!!',
  '%',
  'in',
  'cat',
  'substr',
  '+',
  '-',
  '*',
  '/',
  'min',
  'max',
  'merge',
  'missing',
  'missing_some',
  'if',
  '?:',
  'and',
  'or',
] as const;
const ITERATORS = ['map', 'filter', 'all', 'none', 'some'] as const;

const rule = fc.letrec((tie) => ({
  rule: fc.oneof(
    { maxDepth: 4, depthSize: 'small', withCrossShrink: true },
    primitive,
    tie('variable'),
    tie('operation'),
    tie('iteration'),
    fc.array(tie('rule'), { maxLength: 3 }),
  ),
  variable: fc.oneof(
    path.map((p) => ({ var: p })),
    fc.tuple(path, primitive).map(([p, d]) => ({ var: [p, d] })),
    tie('rule').map((r) => ({ var: r })),
  ),
  operation: fc.oneof(
    fc
      .tuple(fc.constantFrom(...OPERATORS), fc.array(tie('rule'), { maxLength: 4 }))
      .map(([op, args]) => ({ [op]: args })),
    // json-logic-js's unary shorthand: a non-array argument.
    fc.tuple(fc.constantFrom(...OPERATORS), tie('rule')).map(([op, arg]) => ({ [op]: arg })),
  ),
  iteration: fc.oneof(
    fc
      .tuple(fc.constantFrom(...ITERATORS), tie('rule'), tie('rule'))
      .map(([op, source, body]) => ({ [op]: [source, body] })),
    fc.tuple(key, tie('rule'), fc.option(tie('rule'), { nil: undefined })).map(([k, body, initial]) => ({
      reduce: initial === undefined ? [{ var: k }, body] : [{ var: k }, body, initial],
    })),
  ),
})).rule;

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function run(f: () => unknown): Outcome {
  try {
    return { ok: true, value: f() };
  } catch (error) {
    return { ok: false, error };
  }
}

function agrees(reference: Outcome, ours: Outcome): void {
  if (!reference.ok) {
    // json-logic-js threw (e.g. {"*": []}); ours may give a value, or refuse with a RuleError.
    if (!ours.ok) expect(ours.error).toBeInstanceOf(RuleError);
    return;
  }
  if (!ours.ok) throw ours.error;
  expect(ours.value).toStrictEqual(reference.value);
}

describe('differential: json-logic-js 2.0.5 vs compiled and interpreted', () => {
  it('agrees on generated rules and data', () => {
    fc.assert(
      fc.property(rule, data, (r, d) => {
        const reference = run(() => jsonLogic.apply(r as jsonLogic.RulesLogic, d) as unknown);
        agrees(
          reference,
          run(() => evaluate(r, d)),
        );
        agrees(
          reference,
          run(() => interpret(r, d)),
        );
      }),
      { numRuns: 4000 },
    );
  });

  it('agrees on comparisons and arithmetic over mixed primitive types', () => {
    const op = fc.constantFrom(
      '==',
      '!=',
      '<',
      '<=',
      '>',
      '>=',
      '+',
      '-',
      '*',
      '/',
      '%',
      'min',
      'max',
      'cat',
      'in',
    );
    const operand = fc.oneof(primitive, fc.array(primitive, { maxLength: 2 }), fc.constant({}));
    fc.assert(
      fc.property(op, fc.array(operand, { minLength: 1, maxLength: 3 }), (o, args) => {
        // Operands come through the data, so that arrays and objects are values, not rules.
        const r = { [o]: args.map((_, i) => ({ var: `v.${i}` })) };
        const d = { v: args };
        const reference = run(() => jsonLogic.apply(r, d) as unknown);
        agrees(
          reference,
          run(() => evaluate(r, d)),
        );
        agrees(
          reference,
          run(() => interpret(r, d)),
        );
      }),
      { numRuns: 2000 },
    );
  });
});
