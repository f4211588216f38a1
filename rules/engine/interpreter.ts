// The reference evaluator: walks the parsed tree node by node. `explain` runs it with a recorder;
// the compiler must agree with it on every rule (both run the same conformance and fuzz suites).
import { beginWork } from './budget.js';
import { checkResultSize, truthy } from './coerce.js';
import { RuleError } from './errors.js';
import { LIMITS } from './limits.js';
import { ABSENT, cloneJson, type Node, type OpNode } from './parse.js';

/** Receives each evaluated operation: `open` before its arguments run, `close` with what they gave. */
export interface Recorder {
  open(node: Node, depth: number, iteration: readonly number[]): number;
  close(handle: number, inputs: readonly unknown[], output: unknown, chosen?: string): void;
}

export function interpret(root: Node, data: unknown, recorder?: Recorder): unknown {
  beginWork();
  const state: State = { steps: 0, depth: 0, iteration: [], recorder };
  const result = recorder ? traced(root, data, state, true) : evaluate(root, data, state);
  return checkResultSize(result, root.pointer);
}

/** Counts iterator steps against maxSteps and refuses arrays above maxValueLength (the compiler does the same). */
export function stepLimitError(pointer: string): RuleError {
  return new RuleError(
    `more than ${LIMITS.maxSteps} iterator steps in one evaluation (limit maxSteps)`,
    pointer,
    'limit_exceeded',
  );
}

export function iteratedTooLong(pointer: string): RuleError {
  return new RuleError(
    `iterating over more than ${LIMITS.maxValueLength} items (limit maxValueLength)`,
    pointer,
    'limit_exceeded',
  );
}

interface State {
  steps: number;
  depth: number;
  iteration: number[];
  recorder: Recorder | undefined;
}

interface Outcome {
  inputs: unknown[];
  output: unknown;
  chosen?: string;
}

function evaluate(node: Node, data: unknown, state: State): unknown {
  if (node.kind === 'literal') return typeof node.value === 'object' ? cloneJson(node.value) : node.value;
  if (state.recorder) return traced(node, data, state, false);
  return node.kind === 'array'
    ? node.items.map((item) => evaluate(item, data, state))
    : operate(node, data, state).output;
}

function traced(node: Node, data: unknown, state: State, root: boolean): unknown {
  const recorder = state.recorder!;
  if (node.kind !== 'op' && !root)
    return node.kind === 'array'
      ? node.items.map((item) => evaluate(item, data, state))
      : evaluate(node, data, state);
  const handle = recorder.open(node, state.depth, state.iteration.slice());
  state.depth += 1;
  let outcome: Outcome;
  try {
    if (node.kind === 'op') outcome = operate(node, data, state);
    else if (node.kind === 'array') {
      const items = node.items.map((item) => evaluate(item, data, state));
      outcome = { inputs: items, output: items };
    } else outcome = { inputs: [], output: evaluate(node, data, state) };
  } finally {
    state.depth -= 1;
  }
  recorder.close(handle, outcome.inputs, outcome.output, outcome.chosen);
  return outcome.output;
}

function operate(node: OpNode, data: unknown, state: State): Outcome {
  const args = node.args;
  switch (node.spec.kind) {
    case 'value': {
      const values = args.map((arg) => evaluate(arg, data, state));
      return { inputs: values, output: node.spec.apply!(values, data, node.pointer) };
    }
    case 'control':
      return node.op === 'and' || node.op === 'or' ? andOr(node, data, state) : ifChain(node, data, state);
    case 'iterator':
      return iterate(node, data, state);
  }
}

function ifChain(node: OpNode, data: unknown, state: State): Outcome {
  const args = node.args;
  const inputs: unknown[] = [];
  let i = 0;
  for (; i < args.length - 1; i += 2) {
    const condition = evaluate(args[i]!, data, state);
    inputs.push(condition);
    if (truthy(condition)) return chose(args[i + 1]!, data, state, inputs);
  }
  // An odd count leaves an else; otherwise no branch applies and the result is null.
  return args.length === i + 1 ? chose(args[i]!, data, state, inputs) : { inputs, output: null };
}

function chose(branch: Node, data: unknown, state: State, inputs: unknown[]): Outcome {
  const output = evaluate(branch, data, state);
  inputs.push(output);
  return { inputs, output, chosen: branch.pointer };
}

function andOr(node: OpNode, data: unknown, state: State): Outcome {
  const wanted = node.op === 'or';
  const inputs: unknown[] = [];
  let current: unknown;
  for (const arg of node.args) {
    current = evaluate(arg, data, state);
    inputs.push(current);
    if (truthy(current) === wanted) break;
  }
  return { inputs, output: current };
}

function iterate(node: OpNode, data: unknown, state: State): Outcome {
  const [sourceNode = ABSENT, body = ABSENT, initialNode] = node.args;
  const source = evaluate(sourceNode, data, state);
  const initial =
    node.op === 'reduce'
      ? initialNode === undefined
        ? null
        : evaluate(initialNode, data, state)
      : undefined;
  const inputs = node.op === 'reduce' ? [source, initial] : [source];
  if (!Array.isArray(source)) {
    return { inputs, output: emptyResult(node.op, initial) };
  }
  const items: readonly unknown[] = source;
  if (items.length > LIMITS.maxValueLength) throw iteratedTooLong(node.pointer);
  state.steps += items.length;
  if (state.steps > LIMITS.maxSteps) throw stepLimitError(node.pointer);
  const each = (i: number, scope: unknown): unknown => {
    state.iteration.push(i);
    try {
      return evaluate(body, scope, state);
    } finally {
      state.iteration.pop();
    }
  };
  // Plain loops, not Array methods: a hole in a sparse array is an undefined item, as in compiled rules.
  switch (node.op) {
    case 'map': {
      const out: unknown[] = [];
      for (let i = 0; i < items.length; i++) out.push(each(i, items[i]));
      return { inputs, output: out };
    }
    case 'filter': {
      const out: unknown[] = [];
      for (let i = 0; i < items.length; i++) if (truthy(each(i, items[i]))) out.push(items[i]);
      return { inputs, output: out };
    }
    case 'reduce': {
      let accumulator = initial;
      for (let i = 0; i < items.length; i++) accumulator = each(i, { current: items[i], accumulator });
      return { inputs, output: accumulator };
    }
    case 'all':
      for (let i = 0; i < items.length; i++) if (!truthy(each(i, items[i]))) return { inputs, output: false };
      return { inputs, output: items.length > 0 };
    case 'none':
      for (let i = 0; i < items.length; i++) if (truthy(each(i, items[i]))) return { inputs, output: false };
      return { inputs, output: true };
    default:
      for (let i = 0; i < items.length; i++) if (truthy(each(i, items[i]))) return { inputs, output: true };
      return { inputs, output: false };
  }
}

/** What an iterator gives when its first argument is not an array. */
export function emptyResult(op: string, initial: unknown): unknown {
  switch (op) {
    case 'map':
    case 'filter':
      return [];
    case 'reduce':
      return initial;
    case 'none':
      return true;
    default:
      return false;
  }
}
