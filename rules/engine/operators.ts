// The allow-list: every operator a rule may use, as a table of plain functions over evaluated
// arguments (control operators and iterators are evaluated by the interpreter and the compiler).
// No operator calls a value from the rule or the data; json-logic-js's `method` is deliberately absent.
import {
  checkLength,
  joinArray,
  lessOrEqual,
  lessThan,
  looseEquals,
  parseNumber,
  toNumber,
  toPrimitive,
  toText,
  tooLong,
  truthy,
} from './coerce.js';
import { addDays, dateAfter, dateBefore, daysBetween, quarter } from './dates.js';
import { chargeWork } from './budget.js';
import { LIMITS } from './limits.js';
import { achievement, abs, clamp, interpolate, round } from './numbers.js';
import { missingKeys, readOwn, readVar } from './paths.js';

/** 'value': arguments evaluated first; 'control': evaluates its arguments lazily; 'iterator': runs its second argument per item. */
export type OperatorKind = 'value' | 'control' | 'iterator';

export type OperatorFunction = (args: readonly unknown[], data: unknown, pointer: string) => unknown;

export interface OperatorSpec {
  readonly name: string;
  readonly kind: OperatorKind;
  /** Accepted argument counts [min, max]; validation reports others (max is Infinity when variadic). */
  readonly arity: readonly [number, number];
  /** One plain-words line, for validation messages and docs. */
  readonly summary: string;
  /** Covenant's domain operators, absent from json-logic-js. */
  readonly custom: boolean;
  readonly apply?: OperatorFunction;
}

type Entry = Omit<OperatorSpec, 'name' | 'custom'> & { custom?: boolean };

const table: Record<string, Entry> = {
  // Data access
  var: {
    kind: 'value',
    arity: [0, 2],
    summary: 'value at a dotted path of the data, or the default',
    apply: (a, data, p) => readVar(data, a[0], a[1], p),
  },
  missing: {
    kind: 'value',
    arity: [0, Infinity],
    summary: 'the listed keys whose value is absent, null or ""',
    apply: (a, data, p) => missingKeys(a, data, p),
  },
  missing_some: {
    kind: 'value',
    arity: [2, 2],
    summary: '[] when at least N of the keys are present, else the missing keys',
    apply: missingSome,
  },

  // Logic
  if: { kind: 'control', arity: [0, Infinity], summary: 'if/then/else-if chain' },
  '?:': { kind: 'control', arity: [3, 3], summary: 'ternary: condition ? then : else' },
  and: { kind: 'control', arity: [1, Infinity], summary: 'first falsy argument, or the last' },
  or: { kind: 'control', arity: [1, Infinity], summary: 'first truthy argument, or the last' },
  '!': {
    kind: 'value',
    arity: [1, 1],
    summary: 'not (an empty array is false)',
    apply: (a) => !truthy(a[0]),
  },
  '!!': { kind: 'value', arity: [1, 1], summary: 'truthiness as a boolean', apply: (a) => truthy(a[0]) },

  // Comparison
  '==': {
    kind: 'value',
    arity: [2, 2],
    summary: 'loose equality (1 == "1")',
    apply: (a, _d, p) => looseEquals(a[0], a[1], p),
  },
  '===': { kind: 'value', arity: [2, 2], summary: 'strict equality', apply: (a) => a[0] === a[1] },
  '!=': {
    kind: 'value',
    arity: [2, 2],
    summary: 'loose inequality',
    apply: (a, _d, p) => !looseEquals(a[0], a[1], p),
  },
  '!==': { kind: 'value', arity: [2, 2], summary: 'strict inequality', apply: (a) => a[0] !== a[1] },
  '>': {
    kind: 'value',
    arity: [2, 2],
    summary: 'greater than',
    apply: (a, _d, p) => lessThan(a[1], a[0], p),
  },
  '>=': {
    kind: 'value',
    arity: [2, 2],
    summary: 'greater than or equal',
    apply: (a, _d, p) => lessOrEqual(a[1], a[0], p),
  },
  '<': {
    kind: 'value',
    arity: [2, 3],
    summary: 'less than; with three arguments, strictly between',
    apply: (a, _d, p) => between(lessThan, a, p),
  },
  '<=': {
    kind: 'value',
    arity: [2, 3],
    summary: 'less than or equal; with three arguments, between inclusive',
    apply: (a, _d, p) => between(lessOrEqual, a, p),
  },

  // Arithmetic
  '+': { kind: 'value', arity: [0, Infinity], summary: 'sum (strings are parsed as numbers)', apply: sum },
  '-': {
    kind: 'value',
    arity: [1, 2],
    summary: 'difference, or negation with one argument',
    apply: (a, _d, p) => (a[1] === undefined ? -toNumber(a[0], p) : toNumber(a[0], p) - toNumber(a[1], p)),
  },
  '*': {
    kind: 'value',
    arity: [1, Infinity],
    summary: 'product (strings are parsed as numbers)',
    apply: product,
  },
  '/': {
    kind: 'value',
    arity: [2, 2],
    summary: 'quotient',
    apply: (a, _d, p) => toNumber(a[0], p) / toNumber(a[1], p),
  },
  '%': {
    kind: 'value',
    arity: [2, 2],
    summary: 'remainder',
    apply: (a, _d, p) => toNumber(a[0], p) % toNumber(a[1], p),
  },
  min: {
    kind: 'value',
    arity: [1, Infinity],
    summary: 'smallest number (Infinity when empty)',
    apply: (a, _d, p) => Math.min(...a.map((v) => toNumber(v, p))),
  },
  max: {
    kind: 'value',
    arity: [1, Infinity],
    summary: 'largest number (-Infinity when empty)',
    apply: (a, _d, p) => Math.max(...a.map((v) => toNumber(v, p))),
  },

  // Arrays and strings
  in: {
    kind: 'value',
    arity: [2, 2],
    summary: 'substring of a string, or element of an array',
    apply: (a, _d, p) => contains(a[0], a[1], p),
  },
  cat: {
    kind: 'value',
    arity: [0, Infinity],
    summary: 'concatenated text',
    apply: (a, _d, p) => joinArray(a, '', p),
  },
  substr: {
    kind: 'value',
    arity: [2, 3],
    summary: 'part of a text; negative start or length count from the end',
    apply: (a, _d, p) => substr(a[0], a[1], a[2], p),
  },
  merge: {
    kind: 'value',
    arity: [0, Infinity],
    summary: 'arrays flattened one level into one array',
    apply: (a, _d, p) => merge(a, p),
  },
  map: { kind: 'iterator', arity: [2, 2], summary: 'the rule applied to each item' },
  filter: { kind: 'iterator', arity: [2, 2], summary: 'the items for which the rule is truthy' },
  reduce: {
    kind: 'iterator',
    arity: [2, 3],
    summary: 'fold with {"var":"current"} and {"var":"accumulator"}',
  },
  all: {
    kind: 'iterator',
    arity: [2, 2],
    summary: 'true when the rule is truthy for every item (false when empty)',
  },
  none: { kind: 'iterator', arity: [2, 2], summary: 'true when the rule is truthy for no item' },
  some: { kind: 'iterator', arity: [2, 2], summary: 'true when the rule is truthy for at least one item' },

  // Does not print here: rules run inside workflows, where output is not ours to produce.
  log: {
    kind: 'value',
    arity: [1, 1],
    summary: 'its argument, unchanged (prints nothing)',
    apply: (a) => a[0],
  },

  // Covenant: numbers
  round: {
    custom: true,
    kind: 'value',
    arity: [1, 2],
    summary: 'round(x, digits = 0), half away from zero on the decimal value',
    apply: (a) => round(a[0], a[1]),
  },
  abs: { custom: true, kind: 'value', arity: [1, 1], summary: 'absolute value', apply: (a) => abs(a[0]) },
  clamp: {
    custom: true,
    kind: 'value',
    arity: [3, 3],
    summary: 'clamp(x, lo, hi): x limited to [lo, hi]',
    apply: (a) => clamp(a[0], a[1], a[2]),
  },
  interpolate: {
    custom: true,
    kind: 'value',
    arity: [2, 2],
    summary: 'interpolate(x, [[x0, y0], ...]): piecewise-linear, clamped to the end values',
    apply: (a) => interpolate(a[0], a[1]),
  },
  achievement: {
    custom: true,
    kind: 'value',
    arity: [3, 3],
    summary: "achievement(actual, target, 'higher' | 'lower'): percent of target reached",
    apply: (a) => achievement(a[0], a[1], a[2]),
  },

  // Covenant: dates (ISO strings, UTC)
  days_between: {
    custom: true,
    kind: 'value',
    arity: [2, 2],
    summary: 'days_between(a, b): whole days from a to b',
    apply: (a) => daysBetween(a[0], a[1]),
  },
  add_days: {
    custom: true,
    kind: 'value',
    arity: [2, 2],
    summary: "add_days(date, n): the date n days later, as 'YYYY-MM-DD'",
    apply: (a) => addDays(a[0], a[1]),
  },
  quarter: {
    custom: true,
    kind: 'value',
    arity: [1, 2],
    summary: 'quarter(date, fiscalStartMonth = 1): 1..4',
    apply: (a) => quarter(a[0], a[1]),
  },
  date_before: {
    custom: true,
    kind: 'value',
    arity: [2, 2],
    summary: 'date_before(a, b): a is earlier than b',
    apply: (a) => dateBefore(a[0], a[1]),
  },
  date_after: {
    custom: true,
    kind: 'value',
    arity: [2, 2],
    summary: 'date_after(a, b): a is later than b',
    apply: (a) => dateAfter(a[0], a[1]),
  },
};

/** The allow-listed operators, by name. A null-prototype object: "toString" or "__proto__" is not an operator. */
export const operators: Readonly<Record<string, OperatorSpec>> = Object.freeze(
  Object.assign(
    Object.create(null) as Record<string, OperatorSpec>,
    Object.fromEntries(
      Object.entries(table).map(([name, entry]) => [
        name,
        Object.freeze({ ...entry, name, custom: entry.custom ?? false }),
      ]),
    ),
  ),
);

export const operatorNames: readonly string[] = Object.freeze(Object.keys(operators));

export function findOperator(name: string): OperatorSpec | undefined {
  return Object.prototype.hasOwnProperty.call(operators, name) ? operators[name] : undefined;
}

// json-logic-js: "<" and "<=" with a third argument test b between a and c.
function between(
  compare: (a: unknown, b: unknown, p: string) => boolean,
  a: readonly unknown[],
  p: string,
): boolean {
  return a[2] === undefined ? compare(a[0], a[1], p) : compare(a[0], a[1], p) && compare(a[1], a[2], p);
}

function sum(args: readonly unknown[], _data: unknown, p: string): number {
  let total = 0;
  for (const value of args) total = parseNumber(total, p) + parseNumber(value, p);
  return total;
}

// json-logic-js reduces without an initial value: one argument comes back unparsed, none throws (null here).
function product(args: readonly unknown[], _data: unknown, p: string): unknown {
  if (args.length === 0) return null;
  let result: unknown = args[0];
  for (let i = 1; i < args.length; i++) result = parseNumber(result, p) * parseNumber(args[i], p);
  return result;
}

export function contains(needle: unknown, haystack: unknown, p: string): boolean {
  // json-logic-js: `if (!b || typeof b.indexOf === "undefined") return false`.
  if (typeof haystack === 'string') {
    chargeWork(haystack.length, p);
    return haystack !== '' && haystack.indexOf(toText(needle, p)) !== -1;
  }
  if (!Array.isArray(haystack)) return false;
  chargeWork(haystack.length, p);
  return haystack.indexOf(needle) !== -1;
}

function merge(args: readonly unknown[], p: string): unknown[] {
  let length = 0;
  for (const value of args) length += Array.isArray(value) ? value.length : 1;
  if (length > LIMITS.maxValueLength) throw tooLong(p);
  chargeWork(length, p);
  const out: unknown[] = [];
  for (const value of args) {
    if (Array.isArray(value)) for (let i = 0; i < value.length; i++) out.push(value[i]);
    else out.push(value);
  }
  return out;
}

function missingSome(args: readonly unknown[], data: unknown, p: string): unknown[] {
  const [needed, options] = args;
  // json-logic-js applies {"missing": options}: an array is the argument list, anything else one argument.
  const missing = missingKeys(Array.isArray(options) ? options : [options], data, p);
  const total = options === null || options === undefined ? NaN : toNumber(readOwn(options, 'length'), p);
  return lessOrEqual(needed, total - missing.length, p) ? [] : missing;
}

/** String.prototype.substr with json-logic-js's negative length, on a safely converted source. */
export function substr(source: unknown, start: unknown, end: unknown, p: string): string {
  const text = toText(source, p);
  const from = toPrimitive(start, p);
  const to = toPrimitive(end, p);
  if (lessThan(to, 0, p)) {
    const rest = substrNative(text, toIntegerOrInfinity(from), undefined);
    // `temp.length + end`: a string end concatenates, as in json-logic-js.
    const length = typeof to === 'string' ? Number(`${rest.length}${to}`) : rest.length + Number(to);
    return substrNative(rest, 0, toIntegerOrInfinity(length));
  }
  return checkLength(
    substrNative(text, toIntegerOrInfinity(from), to === undefined ? undefined : toIntegerOrInfinity(to)),
    p,
  );
}

function substrNative(text: string, start: number, length: number | undefined): string {
  const size = text.length;
  const from = start === -Infinity ? 0 : start < 0 ? Math.max(size + start, 0) : Math.min(start, size);
  const count = length === undefined ? size : Math.min(Math.max(length, 0), size);
  const to = Math.min(from + count, size);
  return from < to ? text.slice(from, to) : '';
}

function toIntegerOrInfinity(value: unknown): number {
  const n = Number(value);
  return Number.isNaN(n) ? 0 : Math.trunc(n) + 0;
}
