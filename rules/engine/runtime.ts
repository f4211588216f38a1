// The helpers compiled rules call. Each has a fast path for plain numbers and strings that V8
// inlines, and falls back to the safe conversions in coerce.ts for arrays and objects.
import {
  checkResultSize,
  isContainer,
  joinArray,
  lessOrEqual,
  lessThan,
  looseEquals,
  parseNumber,
  toNumber,
  toText,
  tooLong,
  truthy,
} from './coerce.js';
import { beginWork, chargeWork } from './budget.js';
import { addDays, dateAfter, dateBefore, daysBetween, quarter } from './dates.js';
import { iteratedTooLong, stepLimitError } from './interpreter.js';
import { LIMITS } from './limits.js';
import { achievement, abs, clamp, interpolate, interpolateSorted, round } from './numbers.js';
import { readOwn, readVar, wholeData } from './paths.js';
import { cloneJson } from './parse.js';

type Cmp = (a: unknown, b: unknown, p: string) => boolean;

// Native operators on primitives are what json-logic-js does; the casts only silence TypeScript,
// which does not type JavaScript's relational operators on mixed primitives.
const lt: Cmp = (a, b, p) =>
  isContainer(a) || isContainer(b) ? lessThan(a, b, p) : (a as number) < (b as number);
const le: Cmp = (a, b, p) =>
  isContainer(a) || isContainer(b) ? lessOrEqual(a, b, p) : (a as number) <= (b as number);

export const runtime = {
  truthy,
  /** One step of a path: an own, non-function property or undefined. */
  read: readOwn,
  /** A path step's raw value counts as absent when JSON cannot hold it. */
  own: (v: unknown): unknown =>
    typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint' ? undefined : v,
  /**
   * A key of anything but a plain object, or of a plain object whose prototype has the key: an own
   * property that JSON could hold, else undefined. `o` is never null or undefined; a function's
   * properties are not data.
   */
  ownKey: (o: unknown, key: string | number): unknown => {
    if (typeof o === 'function' || !Object.hasOwn(o as object, key)) return undefined;
    const v = (o as Record<string | number, unknown>)[key];
    return typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint' ? undefined : v;
  },
  whole: wholeData,
  readVar,
  clone: cloneJson,
  eq: (a: unknown, b: unknown, p: string): boolean =>
    isContainer(a) !== isContainer(b) ? looseEquals(a, b, p) : a == b,
  lt,
  le,
  gt: (a: unknown, b: unknown, p: string): boolean => lt(b, a, p),
  ge: (a: unknown, b: unknown, p: string): boolean => le(b, a, p),
  lt3: (a: unknown, b: unknown, c: unknown, p: string): boolean =>
    c === undefined ? lt(a, b, p) : lt(a, b, p) && lt(b, c, p),
  le3: (a: unknown, b: unknown, c: unknown, p: string): boolean =>
    c === undefined ? le(a, b, p) : le(a, b, p) && le(b, c, p),
  /** parseFloat as json-logic-js's "+" and "*" apply it. */
  pf: parseNumber,
  /** ToNumber as the other arithmetic operators apply it. */
  num: (v: unknown, p: string): number => (typeof v === 'number' ? v : toNumber(v, p)),
  minus: (a: unknown, b: unknown, p: string): number =>
    b === undefined ? -toNumber(a, p) : toNumber(a, p) - toNumber(b, p),
  /** One argument of cat: "" for null and undefined. */
  text: (v: unknown, p: string): string =>
    typeof v === 'string'
      ? v
      : v === null || v === undefined
        ? ''
        : Array.isArray(v)
          ? joinArray(v, ',', p)
          : toText(v, p),
  checkText: (s: string, p: string): string => {
    if (s.length > LIMITS.maxValueLength) throw tooLong(p);
    chargeWork(s.length, p);
    return s;
  },
  inString: (needle: unknown, haystack: string, p: string): boolean => {
    chargeWork(haystack.length, p);
    return (
      haystack !== '' && haystack.indexOf(typeof needle === 'string' ? needle : toText(needle, p)) !== -1
    );
  },
  /** Starts an evaluation's work budget (./budget.ts). */
  begin: beginWork,
  result: (v: unknown, p: string): unknown =>
    typeof v === 'object' && v !== null ? checkResultSize(v, p) : v,
  /** Called by a compiled iterator whose array or step count is over the limits (`steps` already counts it). */
  iterate: (n: number, steps: number, p: string): never => {
    throw n > LIMITS.maxValueLength ? iteratedTooLong(p) : stepLimitError(p);
  },
  round,
  abs,
  clamp,
  interpolate,
  interpolateSorted,
  achievement,
  daysBetween,
  addDays,
  quarter,
  dateBefore,
  dateAfter,
};

export type Runtime = typeof runtime;
