// Covenant's domain operators (numbers and dates), through the public surface, compiled and interpreted.
import { describe, expect, it } from 'vitest';
import { evaluate, interpret, operators } from '../../rules/engine/index.js';

/** Evaluates {op: args} with both engines (which must agree), the arguments passed through data. */
function call(op: string, ...args: unknown[]): unknown {
  const rule = { [op]: args.map((_, i) => ({ var: `args.${i}` })) };
  const data = { args };
  const compiled = evaluate(rule, data);
  expect(interpret(rule, data)).toStrictEqual(compiled);
  // Literal arguments take the compiler's other paths (e.g. interpolate's precomputed points).
  if (args.every((a) => a !== undefined)) expect(evaluate({ [op]: args }, {})).toStrictEqual(compiled);
  return compiled;
}

describe('round(x, digits = 0)', () => {
  it.each([
    [1.005, 2, 1.01],
    [2.675, 2, 2.68],
    [1.45, 1, 1.5],
    [-1.5, 0, -2],
    [-0.5, 0, -1],
    [0.5, 0, 1],
    [2.5, 0, 3],
    [-2.675, 2, -2.68],
    [1234.5678, -2, 1200],
    [0.1 + 0.2, 2, 0.3],
    [1e-7, 2, 0],
    [123456789.123, 1, 123456789.1],
    [1e21, 2, 1e21],
  ])('round(%d, %d) = %d, half away from zero on the decimal value', (x, digits, expected) => {
    expect(call('round', x, digits)).toBe(expected);
  });

  it('rounds to an integer by default and never gives -0', () => {
    expect(call('round', 2.5)).toBe(3);
    expect(Object.is(call('round', -0.4), 0)).toBe(true);
  });

  it.each([['3.2'], [null], [true], [[1]], [{}]])('is null for the non-number %j', (x) => {
    expect(call('round', x, 2)).toBeNull();
  });

  it('is null for digits that are not a whole number in [-20, 20]', () => {
    expect(call('round', 1.5, 1.5)).toBeNull();
    expect(call('round', 1.5, '2')).toBeNull();
    expect(call('round', 1.5, 21)).toBeNull();
  });
});

describe('abs and clamp', () => {
  it('abs', () => {
    expect(call('abs', -3.5)).toBe(3.5);
    expect(call('abs', 2)).toBe(2);
    expect(call('abs', '-3')).toBeNull();
    expect(call('abs', null)).toBeNull();
  });

  it('clamp(x, lo, hi) limits x to [lo, hi]', () => {
    expect(call('clamp', 7, 1, 5)).toBe(5);
    expect(call('clamp', -1, 1, 5)).toBe(1);
    expect(call('clamp', 3.3, 1, 5)).toBe(3.3);
  });

  it('clamp is null for non-numbers and for lo > hi', () => {
    expect(call('clamp', null, 1, 5)).toBeNull();
    expect(call('clamp', 3, '1', 5)).toBeNull();
    expect(call('clamp', 3, 5, 1)).toBeNull();
  });
});

describe('interpolate(x, points)', () => {
  const points = [
    [0, 5],
    [100, 3],
    [120, 1],
  ];

  it('is linear between the points', () => {
    expect(call('interpolate', 0, points)).toBe(5);
    expect(call('interpolate', 50, points)).toBe(4);
    expect(call('interpolate', 100, points)).toBe(3);
    expect(call('interpolate', 110, points)).toBe(2);
  });

  it('clamps to the end values outside the range', () => {
    expect(call('interpolate', -10, points)).toBe(5);
    expect(call('interpolate', 500, points)).toBe(1);
  });

  it('accepts points in descending order of x', () => {
    expect(call('interpolate', 110, [...points].reverse())).toBe(2);
    expect(
      call('interpolate', 50, [
        [200, 1],
        [100, 3],
        [0, 5],
      ]),
    ).toBe(4);
  });

  it('accepts points computed from the data (baseline and target of an indicator)', () => {
    const rule = {
      interpolate: [
        { var: 'actual' },
        [
          [{ var: 'baseline' }, 5],
          [{ var: 'target' }, 3],
        ],
      ],
    };
    expect(evaluate(rule, { actual: 60, baseline: 40, target: 80 })).toBe(4);
    // Lower is better: the baseline above the target.
    expect(evaluate(rule, { actual: 60, baseline: 80, target: 40 })).toBe(4);
    expect(evaluate(rule, { actual: 30, baseline: 80, target: 40 })).toBe(3);
  });

  it('is null when x is not a finite number or the points are malformed', () => {
    expect(call('interpolate', null, points)).toBeNull();
    expect(call('interpolate', '50', points)).toBeNull();
    expect(call('interpolate', 50, [])).toBeNull();
    expect(call('interpolate', 50, [[0, 1], [1]])).toBeNull();
    expect(
      call('interpolate', 50, [
        [0, null],
        [100, 2],
      ]),
    ).toBeNull();
    expect(call('interpolate', 50, 'points')).toBeNull();
  });
});

describe('achievement(actual, target, direction)', () => {
  it('is 100 * actual / target when higher is better', () => {
    expect(call('achievement', 72, 80, 'higher')).toBe(90);
  });

  it('is 100 * target / actual when lower is better', () => {
    expect(call('achievement', 50, 40, 'lower')).toBe(80);
  });

  it('is null on a zero divisor, a missing actual, or an unknown direction', () => {
    expect(call('achievement', 5, 0, 'higher')).toBeNull();
    expect(call('achievement', 0, 40, 'lower')).toBeNull();
    expect(call('achievement', null, 40, 'higher')).toBeNull();
    expect(call('achievement', 5, 40, 'up')).toBeNull();
  });
});

describe('dates (ISO strings, UTC)', () => {
  it('days_between(a, b) counts whole days b − a', () => {
    expect(call('days_between', '2024-01-01', '2024-03-01')).toBe(60);
    expect(call('days_between', '2024-03-01', '2024-01-01')).toBe(-60);
    expect(call('days_between', '2023-03-25', '2023-03-27')).toBe(2);
  });

  it('days_between counts calendar days in UTC, ignoring the time of day', () => {
    expect(call('days_between', '2024-01-01T23:59:00Z', '2024-01-02T00:01:00Z')).toBe(1);
    expect(call('days_between', '2024-01-01T10:00:00Z', '2024-01-01T22:00:00Z')).toBe(0);
    // 2024-01-02T01:00+02:00 is 2024-01-01T23:00Z.
    expect(call('days_between', '2024-01-01', '2024-01-02T01:00:00+02:00')).toBe(0);
  });

  it('add_days(date, n) gives YYYY-MM-DD, across months, leap days and years', () => {
    expect(call('add_days', '2024-02-28', 1)).toBe('2024-02-29');
    expect(call('add_days', '2023-02-28', 1)).toBe('2023-03-01');
    expect(call('add_days', '2024-12-31', 1)).toBe('2025-01-01');
    expect(call('add_days', '2024-03-01', -1)).toBe('2024-02-29');
    expect(call('add_days', '2024-06-30T23:30:00Z', 90)).toBe('2024-09-28');
  });

  it('quarter(date) is the calendar quarter; quarter(date, start) the fiscal one', () => {
    expect(call('quarter', '2024-01-15')).toBe(1);
    expect(call('quarter', '2024-06-30')).toBe(2);
    expect(call('quarter', '2024-12-31T23:00:00Z')).toBe(4);
    // A fiscal year starting in July: July is Q1, January Q3, June Q4.
    expect(call('quarter', '2024-07-01', 7)).toBe(1);
    expect(call('quarter', '2024-01-15', 7)).toBe(3);
    expect(call('quarter', '2024-06-30', 7)).toBe(4);
    expect(call('quarter', '2024-04-01', 4)).toBe(1);
    expect(call('quarter', '2024-04-01', 13)).toBeNull();
  });

  it('date_before and date_after compare instants (a date is its midnight UTC)', () => {
    expect(call('date_before', '2024-01-01', '2024-01-02')).toBe(true);
    expect(call('date_before', '2024-01-02', '2024-01-02')).toBe(false);
    expect(call('date_after', '2024-01-02T00:00:01Z', '2024-01-02')).toBe(true);
    expect(call('date_after', '2024-01-02T01:00:00+02:00', '2024-01-02')).toBe(false);
  });

  it.each([
    ['2023-02-30'],
    ['2024-13-01'],
    ['01/02/2024'],
    ['2024-01-01T10:00:00'],
    [''],
    [20240101],
    [null],
  ])('reads %j as no date: null', (date) => {
    expect(call('days_between', date, '2024-01-01')).toBeNull();
    expect(call('add_days', date, 1)).toBeNull();
    expect(call('quarter', date)).toBeNull();
    expect(call('date_before', date, '2024-01-01')).toBeNull();
  });

  it('add_days needs a whole number of days', () => {
    expect(call('add_days', '2024-01-01', 1.5)).toBeNull();
    expect(call('add_days', '2024-01-01', '1')).toBeNull();
  });
});

describe('the operator table', () => {
  it('marks the domain operators as custom and documents every operator', () => {
    const custom = Object.values(operators)
      .filter((o) => o.custom)
      .map((o) => o.name);
    expect(custom.sort()).toEqual(
      [
        'abs',
        'achievement',
        'add_days',
        'clamp',
        'date_after',
        'date_before',
        'days_between',
        'interpolate',
        'quarter',
        'round',
      ].sort(),
    );
    for (const spec of Object.values(operators)) expect(spec.summary.length).toBeGreaterThan(5);
  });

  it('is an allow-list: inherited names are not operators', () => {
    expect(Object.getPrototypeOf(operators)).toBeNull();
    expect(Object.hasOwn(operators, 'toString')).toBe(false);
    expect('constructor' in operators).toBe(false);
    expect(Object.isFrozen(operators)).toBe(true);
  });
});
