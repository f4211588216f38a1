// Turns a rule document into a tree both the compiler and the interpreter walk, after checking the
// limits and the operator allow-list: nothing of a rule runs before the whole of it is accepted.
import { RuleError, childPointer } from './errors.js';
import { checkRuleLimits } from './limits.js';
import { findOperator, operatorNames, type OperatorSpec } from './operators.js';

export type Node = LiteralNode | ArrayNode | OpNode;

export interface LiteralNode {
  readonly kind: 'literal';
  /** A JSON primitive, or a private copy of an object that is not an operation (cloned on each use). */
  readonly value: unknown;
  readonly pointer: string;
}

export interface ArrayNode {
  readonly kind: 'array';
  readonly items: readonly Node[];
  readonly pointer: string;
}

export interface OpNode {
  readonly kind: 'op';
  readonly op: string;
  readonly spec: OperatorSpec;
  readonly args: readonly Node[];
  readonly pointer: string;
}

/** Stands for an argument the rule leaves out: json-logic-js then sees undefined. */
export const ABSENT: LiteralNode = Object.freeze({ kind: 'literal', value: undefined, pointer: '' });

export function parseRule(rule: unknown): Node {
  checkRuleLimits(rule, (issue) => {
    throw new RuleError(issue.message, issue.pointer, issue.code);
  });
  return toNode(rule, '');
}

/** json-logic-js: an operation is an object with exactly one key. */
export function isOperation(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1
  );
}

/** The arguments of an operation as json-logic-js sees them: a non-array value is one argument. */
export function operationArgs(
  operation: Record<string, unknown>,
  op: string,
  pointer: string,
): { value: unknown; pointer: string }[] {
  const values = operation[op];
  const base = childPointer(pointer, op);
  return Array.isArray(values)
    ? values.map((value: unknown, i) => ({ value, pointer: childPointer(base, i) }))
    : [{ value: values, pointer: base }];
}

export function unknownOperatorMessage(op: string): string {
  const why = op === 'method' ? ' (it would call a function of the data, which Covenant never does)' : '';
  return `unknown operator "${op}"${why}; allowed: ${operatorNames.join(' ')}`;
}

function toNode(value: unknown, pointer: string): Node {
  if (Array.isArray(value)) {
    return {
      kind: 'array',
      items: value.map((item: unknown, i) => toNode(item, childPointer(pointer, i))),
      pointer,
    };
  }
  if (!isOperation(value)) {
    return {
      kind: 'literal',
      value: typeof value === 'object' && value !== null ? cloneJson(value) : value,
      pointer,
    };
  }
  const op = Object.keys(value)[0]!;
  const spec = findOperator(op);
  if (spec === undefined) throw new RuleError(unknownOperatorMessage(op), pointer, 'unknown_operator');
  const args = operationArgs(value, op, pointer).map((arg) => toNode(arg.value, arg.pointer));
  return { kind: 'op', op, spec, args, pointer };
}

/** A deep copy of JSON; a "__proto__" key stays an own property instead of setting the prototype. */
export function cloneJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(cloneJson);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = cloneJson((value as Record<string, unknown>)[key]);
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    else out[key] = item;
  }
  return out;
}
