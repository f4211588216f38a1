// How `var` reads data: json-logic-js's dotted paths, restricted to own properties that are not
// functions, and never through __proto__, constructor or prototype.
import { toText } from './coerce.js';

/** A path containing one of these segments reads null and is an error at validation. */
export const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Splits a `var` argument as json-logic-js does; null means "the whole data". */
export function pathSegments(path: unknown, pointer: string): string[] | null {
  if (path === undefined || path === null || path === '') return null;
  return toText(path, pointer).split('.');
}

export function isForbiddenPath(segments: readonly string[]): boolean {
  return segments.some((segment) => FORBIDDEN_SEGMENTS.has(segment));
}

/**
 * One step down a path from a non-null value: an own property, or undefined (absent) when the
 * property is inherited or holds something JSON cannot (a function, a symbol, a bigint).
 */
export function readOwn(container: unknown, key: string): unknown {
  // Object.hasOwn converts a primitive (a string's indexes and length are its own properties).
  if (!Object.hasOwn(container as object, key)) return undefined;
  const value = (container as Record<string, unknown>)[key];
  return isJsonless(value) ? undefined : value;
}

/** `var` with a path: the value, or `fallback` when a step meets null/undefined or finds nothing. */
export function readPath(data: unknown, segments: readonly string[], fallback: unknown): unknown {
  if (isForbiddenPath(segments)) return null;
  let value = data;
  for (const segment of segments) {
    if (value === null || value === undefined) return fallback;
    value = readOwn(value, segment);
    if (value === undefined) return fallback;
  }
  return value;
}

/** `var` with an empty path returns the data itself. */
export function wholeData(data: unknown): unknown {
  return isJsonless(data) ? null : data;
}

/** The `var` operator on evaluated arguments: [path, default]. */
export function readVar(data: unknown, path: unknown, fallback: unknown, pointer: string): unknown {
  const segments = pathSegments(path, pointer);
  if (segments === null) return wholeData(data);
  return readPath(data, segments, fallback === undefined ? null : fallback);
}

/** `missing`: the keys whose value is null, "" or absent. */
export function missingKeys(args: readonly unknown[], data: unknown, pointer: string): unknown[] {
  const keys = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  const missing: unknown[] = [];
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    // json-logic-js re-applies each key as a rule; a key here is only ever a path (and default).
    const value = Array.isArray(key)
      ? readVar(data, key[0], key[1], pointer)
      : readVar(data, key, null, pointer);
    if (value === null || value === '') missing.push(key);
  }
  return missing;
}

function isJsonless(value: unknown): boolean {
  const type = typeof value;
  return type === 'function' || type === 'symbol' || type === 'bigint';
}
