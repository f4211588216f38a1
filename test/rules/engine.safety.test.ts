// Rules written by anyone: no rule reaches a prototype, a constructor or a function; no rule
// content becomes code; limits stop oversized rules before they run and oversized values while
// they run; no operator throws a raw TypeError.
import vm from 'node:vm';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LIMITS,
  RuleError,
  compile,
  describeTrace,
  evaluate,
  explain,
  interpret,
  validate,
} from '../../rules/engine/index.js';
import { compiledSource } from '../../rules/engine/compiler.js';
import { parseRule } from '../../rules/engine/parse.js';
import { runtime } from '../../rules/engine/runtime.js';

/** Both engines, which must agree; returns the compiled result. */
function both(rule: unknown, data: unknown): unknown {
  const compiled = evaluate(rule, data);
  expect(interpret(rule, data)).toStrictEqual(compiled);
  return compiled;
}

function refusal(f: () => unknown): RuleError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(RuleError);
    return error as RuleError;
  }
  throw new Error('expected a RuleError');
}

describe('paths that reach prototypes, constructors or functions read null', () => {
  const data = { a: { b: 1 }, list: [1, 2], name: 'abc' };

  it.each([
    [{ var: '__proto__' }],
    [{ var: 'constructor.constructor' }],
    [{ var: 'a.__proto__.b' }],
    [{ var: 'a.constructor' }],
    [{ var: 'list.constructor.prototype' }],
    [{ var: ['toString'] }],
    [{ var: 'a.hasOwnProperty' }],
    [{ var: 'name.toUpperCase' }],
    [{ var: 'list.map' }],
    [{ var: ['__proto__', 'fallback'] }],
    [{ var: { cat: ['__pro', 'to__'] } }],
    [{ var: { cat: ['constructor', '.', 'name'] } }],
  ])('%j is null', (rule) => {
    expect(both(rule, data)).toBeNull();
  });

  it('reports forbidden paths as errors at validation', () => {
    for (const path of ['__proto__', 'constructor.constructor', 'a.__proto__.b', 'x.prototype']) {
      const diagnostics = validate({ if: [true, { var: path }, 0] });
      expect(diagnostics).toEqual([expect.objectContaining({ severity: 'error', pointer: '/if/1' })]);
      expect(diagnostics[0]!.message).toContain('never readable');
    }
  });

  it('reports names inherited from Object.prototype as errors at validation', () => {
    expect(validate({ var: ['toString'] })).toEqual([
      expect.objectContaining({
        severity: 'error',
        pointer: '',
        message: expect.stringContaining('"toString" is inherited') as unknown,
      }),
    ]);
    expect(validate({ var: 'a.valueOf' })).toHaveLength(1);
  });

  it('does not read an own "__proto__" key that JSON.parse created', () => {
    const parsed = JSON.parse('{"__proto__": {"x": 1}, "ok": 2}') as unknown;
    expect(both({ var: '__proto__.x' }, parsed)).toBeNull();
    expect(both({ var: 'ok' }, parsed)).toBe(2);
  });

  it('reads only own properties, not inherited ones', () => {
    const child = Object.create({ inherited: 'from the prototype' }) as Record<string, unknown>;
    child.own = 'mine';
    expect(both({ var: 'inherited' }, child)).toBeNull();
    expect(both({ var: ['inherited', 'default'] }, child)).toBe('default');
    expect(both({ var: 'own' }, child)).toBe('mine');
    expect(both({ var: 'x.inherited' }, { x: child })).toBeNull();
  });

  describe('with a polluted Object.prototype and Array.prototype', () => {
    const protos = [Object.prototype, Array.prototype] as unknown as Record<string, unknown>[];
    afterEach(() => {
      for (const proto of protos) delete proto.polluted;
    });

    it('still reads only own properties', () => {
      const rule = {
        cat: [{ var: 'polluted' }, '|', { var: 'list.polluted' }, '|', { var: 'mine.polluted' }],
      };
      const compiled = compile(rule);
      expect(compiled({ list: [], mine: { polluted: 'own' } })).toBe('||own');
      // Polluted after compiling, as a later attack would.
      for (const proto of protos) proto.polluted = 'attacker';
      expect(compiled({ list: [], mine: { polluted: 'own' } })).toBe('||own');
      expect(interpret(rule, { list: [], mine: { polluted: 'own' } })).toBe('||own');
    });
  });

  it('never returns a function, and never reads a function’s properties', () => {
    'use strict';
    const strict = (): number => 1;
    const data = { f: strict, g: { h: strict }, xs: [strict, 1] };
    expect(both({ var: 'f' }, data)).toBeNull();
    expect(both({ var: ['f', 'default'] }, data)).toBe('default');
    expect(both({ var: 'g.h' }, data)).toBeNull();
    expect(both({ var: 'f.name' }, data)).toBeNull();
    // Reading `caller` of a strict function throws in JavaScript; here it is just absent.
    expect(both({ var: 'f.caller' }, data)).toBeNull();
    expect(both({ var: 'xs.0' }, data)).toBeNull();
    expect(both({ map: [{ var: 'xs' }, { var: '' }] }, data)).toEqual([null, 1]);
    expect(both({ var: '' }, strict)).toBeNull();
  });

  it('never calls valueOf or toString found in the data, and throws no TypeError', () => {
    let called = 0;
    const hostile = {
      valueOf: () => (called += 1),
      toString: () => String((called += 1)),
    };
    const cyclic: unknown[] = [1];
    cyclic.push(cyclic);
    const data = { h: hostile, list: [hostile], weird: { toString: 'not a function' }, cyclic };
    for (const v of ['h', 'list', 'weird', 'cyclic']) {
      for (const op of [
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
        'substr',
      ]) {
        const rule = { [op]: [{ var: v }, op === 'in' ? 'abc' : 1] };
        expect(() => both(rule, data)).not.toThrow();
      }
      expect(() => both({ in: ['x', { var: v }] }, data)).not.toThrow();
      expect(() => both({ missing: { var: v } }, data)).not.toThrow();
      expect(() => both({ var: { var: v } }, data)).not.toThrow();
    }
    expect(called).toBe(0);
    // Native join prints a cyclic reference as "": so does the engine.
    expect(both({ cat: [{ var: 'cyclic' }] }, data)).toBe('1,');
  });

  it('refuses "method", which would call a value, naming the allowed operators', () => {
    const error = refusal(() => compile({ if: [true, { method: ['abc', 'toUpperCase'] }] }));
    expect(error.pointer).toBe('/if/1');
    expect(error.code).toBe('unknown_operator');
    expect(error.message).toContain('"method"');
    expect(error.message).toContain('allowed:');
    expect(error.message).toContain('interpolate');
  });
});

describe('limits, checked before a rule runs', () => {
  const nest = (depth: number): unknown => {
    let rule: unknown = 1;
    for (let i = 0; i < depth; i++) rule = { '!!': [rule] };
    return rule;
  };

  it('refuses a rule nested deeper than maxDepth, naming the limit and where', () => {
    expect(evaluate(nest(20), {})).toBe(true);
    const error = refusal(() => compile(nest(40)));
    expect(error.code).toBe('limit_exceeded');
    expect(error.message).toContain('maxDepth');
    expect(error.pointer).toMatch(/^(\/!!\/0){32}$/);
    expect(validate(nest(40))).toEqual([
      expect.objectContaining({ severity: 'error', pointer: error.pointer }),
    ]);
  });

  it('refuses a rule of more than maxNodes nodes', () => {
    const wide = { '+': Array.from({ length: 10 }, () => Array.from({ length: 1_100 }, () => 1)) };
    expect(refusal(() => compile(wide)).message).toContain('maxNodes');
  });

  it('refuses long string literals and long array literals', () => {
    expect(refusal(() => compile({ cat: ['x'.repeat(LIMITS.maxStringLength + 1)] })).pointer).toBe('/cat/0');
    expect(
      refusal(() => compile({ in: [1, Array.from({ length: LIMITS.maxArrayLength + 1 }, () => 0)] })).message,
    ).toContain('maxArrayLength');
  });

  it('refuses values JSON cannot hold', () => {
    expect(refusal(() => compile({ '+': [1, Number.NaN] })).code).toBe('malformed');
    expect(refusal(() => compile({ '+': [1, () => 2] })).pointer).toBe('/+/1');
    expect(refusal(() => compile({ '+': [1, new Date(0)] })).code).toBe('malformed');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = { '!': cyclic };
    expect(refusal(() => compile(cyclic)).message).toContain('maxDepth');
  });
});

describe('runtime guards: no rule can blow up memory or time', () => {
  const doubling = (body: unknown, initial: unknown): unknown => ({
    reduce: [{ var: 'steps' }, body, initial],
  });
  const steps = { steps: Array.from({ length: 40 }, (_, i) => i) };

  it.each([
    ['cat', doubling({ cat: [{ var: 'accumulator' }, { var: 'accumulator' }] }, 'ab'), '/reduce/1'],
    ['merge', doubling({ merge: [{ var: 'accumulator' }, { var: 'accumulator' }] }, [1]), '/reduce/1'],
    // [acc, acc] builds a tiny structure whose JSON doubles at each step.
    ['nested arrays', doubling([{ var: 'accumulator' }, { var: 'accumulator' }], 1), ''],
    ['text of nested arrays', { cat: [doubling([{ var: 'accumulator' }, { var: 'accumulator' }], 1)] }, ''],
  ])('stops %s growing past maxValueLength', (_name, rule, pointer) => {
    for (const run of [() => evaluate(rule, steps), () => interpret(rule, steps)]) {
      const error = refusal(run);
      expect(error.code).toBe('limit_exceeded');
      expect(error.pointer).toBe(pointer);
    }
  });

  it('stops nested iteration past maxSteps', () => {
    const inner = Array.from({ length: 3_000 }, (_, i) => i);
    const data = { rows: Array.from({ length: 4_000 }, () => ({ cells: inner })) };
    // Steps are counted when an iterator starts: `all` stops at the first item, but is charged 3,000.
    const rule = { map: [{ var: 'rows' }, { all: [{ var: 'cells' }, false] }] };
    const error = refusal(() => evaluate(rule, data));
    expect(error.message).toContain('maxSteps');
    expect(error.pointer).toBe('/map/1');
    expect(refusal(() => interpret(rule, data)).pointer).toBe('/map/1');
  });

  // Each step stays under every size limit; the copying adds up (half a million items copied
  // half a million times, held by a trace step by step, ran out of memory before maxWork).
  const quadratic = {
    reduce: [{ var: 'items' }, { merge: [{ var: 'accumulator' }, [{ var: 'current' }]] }, []],
  };
  const items = { items: Array.from({ length: 500_000 }, (_, i) => i) };

  it.each([
    ['merge', quadratic],
    ['cat', { reduce: [{ var: 'items' }, { cat: [{ var: 'accumulator' }, 'x'] }, ''] }],
    ['in', { none: [{ var: 'rows' }, { in: [-1, { var: 'cells' }] }] }],
  ])('stops %s in a loop past maxWork, in a fraction of a second', (_name, rule) => {
    const data = { ...items, rows: Array.from({ length: 100 }, () => ({ cells: items.items })) };
    for (const run of [() => evaluate(rule, data), () => interpret(rule, data), () => explain(rule, data)]) {
      const started = performance.now();
      const error = refusal(run);
      expect(error.code).toBe('limit_exceeded');
      expect(error.message).toContain('maxWork');
      expect(performance.now() - started).toBeLessThan(5_000);
    }
  });

  it('keeps a trace of large values bounded in bytes: large values are described, not held', () => {
    const big = { big: Array.from({ length: 200_000 }, (_, i) => i) };
    const trace = explain({ merge: [{ var: 'big' }, { var: 'big' }, { var: 'big' }] }, big);
    expect(JSON.stringify(trace).length).toBeLessThan(50_000);
    expect(describeTrace(trace).join('\n')).toContain('→ ‹array of 600000 items›');
    // Small values are kept as they are.
    const small = { map: [[1, 2, 3], { merge: [{ var: '' }, { var: '' }] }] };
    expect(explain(small, {})[0]!.output).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });

  it('refuses to iterate over more than maxValueLength items', () => {
    const data = { big: new Array<number>(LIMITS.maxValueLength + 1).fill(0) };
    expect(refusal(() => evaluate({ some: [{ var: 'big' }, false] }, data)).message).toContain(
      'maxValueLength',
    );
  });
});

describe('no rule content ever becomes code', () => {
  const CANARY = '__covenantCanary';
  const HOSTILE = [
    '"',
    "'",
    '\\',
    '`',
    '${globalThis.__covenantCanary = "pwned"}',
    '*/ globalThis.__covenantCanary = "pwned"; /*',
    '"]); globalThis.__covenantCanary = "pwned"; //',
    '"]);process.exit(1);//',
    "'); globalThis.__covenantCanary = 'pwned'; ('",
    '\n globalThis.__covenantCanary = "pwned"\n',
    '\u2028globalThis.__covenantCanary = "pwned"\u2029',
    '</script>',
    '\ud800',
    '}}; globalThis.__covenantCanary = "pwned"; {{',
    'a.b',
    '',
  ];
  const hostile = fc.oneof(
    fc.constantFrom(...HOSTILE),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.string({ maxLength: 12 }),
  );

  it('compiles hostile literals, paths and keys to the interpreter’s results, with no side effect', () => {
    const g = globalThis as Record<string, unknown>;
    g[CANARY] = 'untouched';
    fc.assert(
      fc.property(hostile, hostile, hostile, (s, t, u) => {
        const data = { [s]: t, [t]: { [u]: s }, list: [{ [s]: u }, { [s]: t }], a: 1 };
        const rules: unknown[] = [
          s,
          { var: s },
          { var: [s, t] },
          { var: `${t}.${u}` },
          { cat: [s, { var: t }, u] },
          { '==': [s, { var: 'a' }] },
          { in: [{ var: s }, [s, t, u, 'x', 'y', 'z', 'v', 'w', 'q', 'r']] },
          { in: [{ var: 'a' }, s] },
          { if: [{ var: s }, t, u] },
          { missing: [s, t] },
          { missing_some: [1, [s, u]] },
          { map: [{ var: 'list' }, { var: s }] },
          { filter: [{ var: 'list' }, { '==': [{ var: s }, t] }] },
          { reduce: [{ var: 'list' }, { cat: [{ var: 'accumulator' }, { var: `current.${s}` }] }, u] },
          { [s]: 1, [`${t}~`]: [u] },
          [s, [t, { var: u }]],
          { substr: [s, 1, -1] },
        ];
        for (const rule of rules) {
          let compiled: unknown;
          let interpreted: unknown;
          try {
            compiled = evaluate(rule, data);
          } catch (error) {
            compiled = error instanceof RuleError ? 'RuleError' : error;
          }
          try {
            interpreted = interpret(rule, data);
          } catch (error) {
            interpreted = error instanceof RuleError ? 'RuleError' : error;
          }
          expect(compiled).toStrictEqual(interpreted);
        }
        expect(g[CANARY]).toBe('untouched');
      }),
      { numRuns: 500 },
    );
    delete g[CANARY];
  });

  it('generates code that needs nothing but standard JavaScript (runs in an empty vm context)', () => {
    const rule = {
      if: [
        { some: [{ var: 'indicators' }, { '<': [{ var: 'actual' }, { '*': [0.5, { var: 'target' }] }] }] },
        { cat: ['escalate ', { var: 'unit' }] },
        { reduce: [{ var: 'indicators' }, { '+': [{ var: 'accumulator' }, { var: 'current.weight' }] }, 0] },
      ],
    };
    const source = compiledSource(parseRule(rule));
    const sandbox = vm.createContext({});
    const factory = vm.runInContext(`(function (rt, K) {\n${source}\n})`, sandbox) as (
      rt: unknown,
      k: unknown[],
    ) => (d: unknown) => unknown;
    // The data comes from another realm (another Object.prototype), as it can in the workflow sandbox.
    const run = factory(runtime, []);
    const data = {
      unit: 'Health',
      indicators: [
        { actual: 80, target: 100, weight: 60 },
        { actual: 40, target: 100, weight: 40 },
      ],
    };
    expect(run(data)).toBe('escalate Health');
    expect(run({ unit: 'x', indicators: [{ actual: 90, target: 100, weight: 60 }] })).toBe(60);
  });
});

describe('compilation stays linear in the rule', () => {
  it('compiles a rule nested to the depth limit quickly, to code proportional to its size', () => {
    // Each level nests comparisons, arithmetic and reads (6 levels of JSON): a compiler duplicating
    // operand code per level would produce 2^10 times the code here.
    let rule: unknown = { var: 'x' };
    for (let i = 0; i < 10; i++) {
      rule = { '==': [{ var: `v${i % 3}` }, { '+': [{ '<': [{ var: 'x' }, rule, { var: 'y' }] }, 1] }] };
    }
    const started = performance.now();
    const source = compiledSource(parseRule(rule));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(source.length).toBeLessThan(20_000);
    expect(evaluate(rule, { x: 1, y: 3, v0: 1, v1: 1, v2: 2 })).toBe(
      interpret(rule, { x: 1, y: 3, v0: 1, v1: 1, v2: 2 }),
    );
  });
});
