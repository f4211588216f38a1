// Size limits checked before a rule is compiled or interpreted, and the runtime caps that keep one
// evaluation bounded in memory and time whatever the rule or the data.
import { childPointer } from './errors.js';

export const LIMITS = {
  /** Nesting of arrays and objects in the rule document. */
  maxDepth: 64,
  /** JSON values in the rule document (objects, arrays and primitives). */
  maxNodes: 10_000,
  /** Characters in one string literal of the rule. */
  maxStringLength: 10_000,
  /** Elements in one array literal of the rule. */
  maxArrayLength: 5_000,
  /** Elements or characters in one value created at run time (cat, merge, text conversions, iterated arrays). */
  maxValueLength: 1_000_000,
  /** Iterator steps (items visited by map, filter, reduce, all, some, none) in one evaluation. */
  maxSteps: 10_000_000,
  /** Work in one evaluation: elements and characters created or scanned by operators (./budget.ts). */
  maxWork: 20_000_000,
  /** Nesting of a value converted to text or returned as a result. */
  maxValueDepth: 1_000,
} as const;

export interface LimitIssue {
  pointer: string;
  message: string;
  /** 'malformed': not a JSON value; 'limit_exceeded': a size limit. */
  code: 'malformed' | 'limit_exceeded';
}

/**
 * Walks the rule document once, reporting each limit exceeded and each value JSON cannot hold.
 * Stops descending below maxDepth and after maxNodes, so a hostile (even cyclic) rule is cheap to reject.
 */
export function checkRuleLimits(rule: unknown, report: (issue: LimitIssue) => void): void {
  let nodes = 0;
  let nodesReported = false;

  const walk = (value: unknown, pointer: string, depth: number): void => {
    nodes += 1;
    if (nodes > LIMITS.maxNodes) {
      if (!nodesReported) {
        nodesReported = true;
        report({
          pointer,
          code: 'limit_exceeded',
          message: `rule has more than ${LIMITS.maxNodes} nodes (limit maxNodes)`,
        });
      }
      return;
    }
    switch (typeof value) {
      case 'string':
        if (value.length > LIMITS.maxStringLength) {
          report({
            pointer,
            code: 'limit_exceeded',
            message: `string of ${value.length} characters exceeds the limit maxStringLength (${LIMITS.maxStringLength})`,
          });
        }
        return;
      case 'number':
        if (!Number.isFinite(value)) {
          report({ pointer, code: 'malformed', message: `${String(value)} is not a JSON number` });
        }
        return;
      case 'boolean':
        return;
      case 'object':
        break;
      default:
        report({ pointer, code: 'malformed', message: `a ${typeof value} is not a JSON value` });
        return;
    }
    if (value === null) return;
    if (depth >= LIMITS.maxDepth) {
      report({
        pointer,
        code: 'limit_exceeded',
        message: `rule is nested deeper than ${LIMITS.maxDepth} levels (limit maxDepth)`,
      });
      return;
    }
    if (Array.isArray(value)) {
      if (value.length > LIMITS.maxArrayLength) {
        report({
          pointer,
          code: 'limit_exceeded',
          message: `array of ${value.length} elements exceeds the limit maxArrayLength (${LIMITS.maxArrayLength})`,
        });
        return;
      }
      for (let i = 0; i < value.length && nodes <= LIMITS.maxNodes; i++) {
        walk(value[i], childPointer(pointer, i), depth + 1);
      }
      return;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      report({ pointer, code: 'malformed', message: 'only plain objects and arrays may appear in a rule' });
      return;
    }
    for (const key of Object.keys(value)) {
      if (nodes > LIMITS.maxNodes) return;
      if (key.length > LIMITS.maxStringLength) {
        report({
          pointer,
          code: 'limit_exceeded',
          message: `key of ${key.length} characters exceeds the limit maxStringLength (${LIMITS.maxStringLength})`,
        });
        continue;
      }
      walk((value as Record<string, unknown>)[key], childPointer(pointer, key), depth + 1);
    }
  };

  walk(rule, '', 0);
}
