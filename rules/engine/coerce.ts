// JSON-Logic's value semantics (json-logic-js 2.0.5) implemented without ever calling a method of a
// value: JavaScript's own coercions would call valueOf/toString found on data, and could throw.
// For JSON data every function here returns exactly what the native operator returns.
import { RuleError } from './errors.js';
import { chargeWork } from './budget.js';
import { LIMITS } from './limits.js';

export type Primitive = string | number | boolean | null | undefined;

/** JSON-Logic truthiness: an empty array is false, otherwise JavaScript's. */
export function truthy(value: unknown): boolean {
  return Array.isArray(value) ? value.length !== 0 : !!value;
}

export function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** ToPrimitive for data: arrays join their elements with ",", other objects are "[object Object]". */
export function toPrimitive(value: unknown, pointer: string): Primitive {
  if (typeof value === 'object') {
    if (value === null) return null;
    return Array.isArray(value) ? joinArray(value, ',', pointer) : '[object Object]';
  }
  return primitiveOf(value);
}

/** String(value). */
export function toText(value: unknown, pointer: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    return Array.isArray(value) ? joinArray(value, ',', pointer) : '[object Object]';
  }
  return String(primitiveOf(value));
}

/** ToNumber(value), as the arithmetic and relational operators apply it. */
export function toNumber(value: unknown, pointer: string): number {
  return typeof value === 'number' ? value : Number(toPrimitive(value, pointer));
}

/** parseFloat(value): json-logic-js's "+" and "*" parse their operands. */
export function parseNumber(value: unknown, pointer: string): number {
  // parseFloat(String(n)) is n for every number except -0, which it turns into 0.
  return typeof value === 'number' ? value + 0 : parseFloat(toText(value, pointer));
}

/** a == b */
export function looseEquals(a: unknown, b: unknown, pointer: string): boolean {
  const aObject = isContainer(a);
  const bObject = isContainer(b);
  if (aObject === bObject) return aObject ? a === b : primitiveOf(a) == primitiveOf(b);
  const other = aObject ? b : a;
  if (other === null || other === undefined) return false;
  return toPrimitive(aObject ? a : b, pointer) == primitiveOf(other);
}

/** a < b */
export function lessThan(a: unknown, b: unknown, pointer: string): boolean {
  const x = toPrimitive(a, pointer);
  const y = toPrimitive(b, pointer);
  return typeof x === 'string' && typeof y === 'string' ? x < y : Number(x) < Number(y);
}

/** a <= b */
export function lessOrEqual(a: unknown, b: unknown, pointer: string): boolean {
  const x = toPrimitive(a, pointer);
  const y = toPrimitive(b, pointer);
  return typeof x === 'string' && typeof y === 'string' ? x <= y : Number(x) <= Number(y);
}

/** Array.prototype.join, with String() of each element; null and undefined become "". */
export function joinArray(array: readonly unknown[], separator: string, pointer: string): string {
  const state: JoinState = { budget: LIMITS.maxValueLength, stack: [] };
  const text = joinInto(array, separator, pointer, state);
  chargeWork(LIMITS.maxValueLength - state.budget + text.length, pointer);
  return text;
}

/** Checks a string or array created by an operator against maxValueLength. */
export function checkLength<T extends string | unknown[]>(value: T, pointer: string): T {
  if (value.length > LIMITS.maxValueLength) throw tooLong(pointer);
  chargeWork(value.length, pointer);
  return value;
}

export function tooLong(pointer: string): RuleError {
  return new RuleError(
    `value created here exceeds ${LIMITS.maxValueLength} elements (limit maxValueLength)`,
    pointer,
    'limit_exceeded',
  );
}

/**
 * Rejects a result that would be huge once serialised: reduce can nest an accumulator in itself
 * and so build a small structure whose JSON doubles at each step.
 */
export function checkResultSize(value: unknown, pointer: string): unknown {
  if (typeof value !== 'object' || value === null) return value;
  let budget = LIMITS.maxValueLength;
  const visit = (v: unknown, depth: number): void => {
    if (--budget < 0) throw tooLong(pointer);
    if (typeof v !== 'object' || v === null) return;
    if (depth > LIMITS.maxValueDepth) throw tooDeep(pointer);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) visit(v[i], depth + 1);
    } else {
      for (const key of Object.keys(v)) visit((v as Record<string, unknown>)[key], depth + 1);
    }
  };
  visit(value, 0);
  return value;
}

interface JoinState {
  budget: number;
  stack: unknown[];
}

function joinInto(array: readonly unknown[], separator: string, pointer: string, state: JoinState): string {
  // Native join prints a cyclic reference as "".
  if (state.stack.includes(array)) return '';
  if (state.stack.length >= LIMITS.maxValueDepth) throw tooDeep(pointer);
  state.stack.push(array);
  let out = '';
  for (let i = 0; i < array.length; i++) {
    if (i > 0) out += separator;
    const element = array[i];
    if (element !== null && element !== undefined) {
      out +=
        typeof element === 'object'
          ? Array.isArray(element)
            ? joinInto(element, ',', pointer, state)
            : '[object Object]'
          : String(primitiveOf(element));
    }
    // The budget counts elements visited, so a shared sub-array cannot make the work explode.
    if (--state.budget < 0 || out.length > LIMITS.maxValueLength) throw tooLong(pointer);
  }
  state.stack.pop();
  return out;
}

function tooDeep(pointer: string): RuleError {
  return new RuleError(
    `value nested deeper than ${LIMITS.maxValueDepth} levels (limit maxValueDepth)`,
    pointer,
    'limit_exceeded',
  );
}

/** Values JSON cannot carry are never handed to a native operator: functions and symbols count as "". */
function primitiveOf(value: unknown): Primitive {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return value;
    case 'bigint':
      return String(value);
    case 'object':
      return value === null ? null : '[object Object]';
    default:
      return '';
  }
}
