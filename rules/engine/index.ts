// Covenant's JSON-Logic engine: json-logic-js 2.0.5 semantics, compiled to JavaScript, safe with
// rules written by anyone, plus the domain operators of performance contracts. See docs/engine.md.
import { compileTree, type CompiledRule } from './compiler.js';
import { explainTree, type TraceNode } from './explain.js';
import { interpret as interpretTree } from './interpreter.js';
import { parseRule, type Node } from './parse.js';
import { validateRule, type Diagnostic, type ValidationContext } from './validate.js';

export { RuleError, type RuleErrorCode } from './errors.js';
export { LIMITS } from './limits.js';
export { withWorkLimit, workUsed } from './budget.js';
export { operators, operatorNames, type OperatorSpec, type OperatorKind } from './operators.js';
export { describeTrace, type TraceNode } from './explain.js';
export type { Diagnostic, ValidationContext, VariableSpec, VariableType } from './validate.js';
export type { CompiledRule } from './compiler.js';

interface Prepared {
  tree: Node;
  compiled?: CompiledRule;
}

// Keyed by the rule object itself: compiling the same rule again is free. Rules are treated as
// immutable once compiled (rule sets are versioned documents that never change).
const cache = new WeakMap<object, Prepared>();

/** Compiles a rule once, to run many times. Throws RuleError when the rule cannot run. */
export function compile(rule: unknown): CompiledRule {
  const prepared = prepare(rule);
  prepared.compiled ??= compileTree(prepared.tree);
  return prepared.compiled;
}

export function evaluate(rule: unknown, data: unknown): unknown {
  return compile(rule)(data);
}

/** The same result as `evaluate`, by the tree-walking interpreter (the compiler's reference). */
export function interpret(rule: unknown, data: unknown): unknown {
  return interpretTree(prepare(rule).tree, data);
}

/** Every evaluated operation with its inputs and output, root first; trace[0].output is the result. */
export function explain(rule: unknown, data: unknown): TraceNode[] {
  return explainTree(prepare(rule).tree, data);
}

/** Problems a rule's author should fix; an empty list means the rule is fine. Never throws. */
export function validate(rule: unknown, context?: ValidationContext): Diagnostic[] {
  return validateRule(rule, context);
}

function prepare(rule: unknown): Prepared {
  if (typeof rule !== 'object' || rule === null) return { tree: parseRule(rule) };
  let prepared = cache.get(rule);
  if (prepared === undefined) {
    prepared = { tree: parseRule(rule) };
    cache.set(rule, prepared);
  }
  return prepared;
}
