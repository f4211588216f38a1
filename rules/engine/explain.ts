// Why a rule gave its result: the interpreter's run recorded node by node, and rendered in plain
// words for review documents ("/if/0: actual (72) < target (85) → true").
import { interpret, type Recorder } from './interpreter.js';
import type { Node } from './parse.js';

export interface TraceNode {
  /** JSON pointer of the operation in the rule. */
  readonly pointer: string;
  /** The operator; for a rule that is not an operation, "value" or "array". */
  readonly operator: string;
  /** Evaluated arguments, in order (lazy operators list only those they evaluated). */
  readonly inputs: readonly unknown[];
  readonly output: unknown;
  /** Nesting below the root operation (0 for the root). */
  readonly depth: number;
  /** Item indexes of the enclosing iterators, outermost first ([] outside iterators). */
  readonly iteration: readonly number[];
  /** Per argument, the variable path it reads when it is a plain {"var": "path"}. */
  readonly labels: readonly (string | undefined)[];
  /** For if: the pointer of the branch taken, and of the condition that chose it (absent for else). */
  readonly chosen?: string;
  readonly because?: string;
}

/** Longest trace kept: iterators over large data would otherwise record without bound. */
export const MAX_TRACE = 10_000;
/** Estimated bytes of the values a trace keeps; past it, further steps are counted, not kept. */
export const MAX_TRACE_BYTES = 4_000_000;
/** A value larger than this (estimated) is kept as a description, not as itself. */
const MAX_VALUE_BYTES = 16_384;

/** What a trace keeps of a value too large to keep: "array of 524288 items". */
export class Elided {
  constructor(readonly description: string) {}
}

export function explainTree(root: Node, data: unknown): TraceNode[] {
  const trace: Mutable<TraceNode>[] = [];
  const nodes: Node[] = [];
  let dropped = 0;
  let bytes = 0;
  // Traces of a rule that builds large arrays would otherwise hold every one of them.
  const keep = (value: unknown): unknown => {
    const size = estimateBytes(value, MAX_VALUE_BYTES);
    if (size > MAX_VALUE_BYTES) {
      bytes += 64;
      return new Elided(describeSize(value));
    }
    bytes += size;
    return value;
  };
  const recorder: Recorder = {
    open(node, depth, iteration) {
      if (trace.length >= MAX_TRACE || bytes > MAX_TRACE_BYTES) {
        dropped += 1;
        return -1;
      }
      const args = node.kind === 'op' ? node.args : [];
      const operator = node.kind === 'op' ? node.op : node.kind === 'array' ? 'array' : 'value';
      trace.push({
        pointer: node.pointer,
        operator,
        inputs: [],
        output: undefined,
        depth,
        iteration,
        labels: args.map(variableLabel),
      });
      nodes.push(node);
      return trace.length - 1;
    },
    close(handle, inputs, output, chosen) {
      const entry = trace[handle];
      if (entry === undefined) return;
      entry.inputs = inputs.map(keep);
      entry.output = keep(output);
      if (chosen !== undefined) {
        entry.chosen = chosen;
        const node = nodes[handle]!;
        const args = node.kind === 'op' ? node.args : [];
        const index = args.findIndex((a) => a.pointer === chosen);
        // A branch at an odd index follows its condition; the last, at an even index, is the else.
        if (index % 2 === 1) entry.because = args[index - 1]!.pointer;
      }
    },
  };
  interpret(root, data, recorder);
  if (dropped > 0) {
    trace.push({
      pointer: '',
      operator: 'truncated',
      inputs: [dropped],
      output: undefined,
      depth: 0,
      iteration: [],
      labels: [],
    });
  }
  return trace;
}

const INFIX = new Set(['==', '===', '!=', '!==', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', 'in']);

/** One line per evaluated operation; variable reads appear inside the line of the operation using them. */
export function describeTrace(trace: readonly TraceNode[]): string[] {
  const lines: string[] = [];
  for (const node of trace) {
    if (node.operator === 'truncated') {
      lines.push(`… ${String(node.inputs[0])} more steps not shown`);
      continue;
    }
    if (node.operator === 'var' && node.depth > 0) continue;
    const at = node.pointer === '' ? '(root)' : node.pointer;
    const where = node.iteration.length > 0 ? `${at} [item ${node.iteration.join('.')}]` : at;
    lines.push(`${'  '.repeat(node.depth)}${where}: ${describeNode(node)}`);
  }
  return lines;
}

function describeNode(node: TraceNode): string {
  const out = formatValue(node.output);
  const operand = (i: number): string => {
    const label = node.labels[i];
    const value = formatValue(node.inputs[i]);
    return label === undefined ? value : `${label} (${value})`;
  };
  const op = node.operator;
  if (op === 'value' || op === 'array') return out;
  if (op === 'var') return `${node.labels.length > 0 ? formatPath(node.inputs[0]) : 'data'} → ${out}`;
  if (op === 'if' || op === '?:') {
    if (node.chosen === undefined) return `no condition holds → ${out}`;
    return node.because === undefined
      ? `no condition holds, so the else ${node.chosen} → ${out}`
      : `${node.because} is true, so ${node.chosen} → ${out}`;
  }
  if (['map', 'filter', 'reduce', 'all', 'none', 'some'].includes(op)) {
    const from = op === 'reduce' ? ` starting from ${formatValue(node.inputs[1])}` : '';
    return `${op} over ${operand(0)}${from} → ${out}`;
  }
  if (op === '!') return `not ${operand(0)} → ${out}`;
  if (INFIX.has(op) && node.inputs.length >= 2) {
    const shown = node.inputs.map((_, i) => operand(i));
    if (op === '-' || op === '+' || op === '*' || ((op === '<' || op === '<=') && shown.length === 3)) {
      return `${shown.join(` ${op} `)} → ${out}`;
    }
    return `${shown[0]} ${op} ${shown[1]} → ${out}`;
  }
  return `${op}(${node.inputs.map((_, i) => operand(i)).join(', ')}) → ${out}`;
}

/** A short, bounded rendering of a value for one line of text. */
export function formatValue(value: unknown, room = 60): string {
  if (value === undefined) return 'nothing';
  if (value instanceof Elided) return `‹${value.description}›`;
  if (typeof value === 'string')
    return JSON.stringify(value.length > room ? `${value.slice(0, room)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (typeof value !== 'object') return typeof value;
  if (Array.isArray(value)) {
    const shown = value.slice(0, 5).map((v) => formatValue(v, 20));
    const more = value.length > 5 ? `, … ${value.length} items` : '';
    return `[${shown.join(', ')}${more}]`;
  }
  const keys = Object.keys(value);
  const shown = keys
    .slice(0, 3)
    .map((k) => `${JSON.stringify(k)}: ${formatValue((value as Record<string, unknown>)[k], 20)}`);
  return `{${shown.join(', ')}${keys.length > 3 ? ', …' : ''}}`;
}

/** Bytes a value takes, roughly, counted up to `cap` (a larger value is not walked further). */
function estimateBytes(value: unknown, cap: number): number {
  let total = 0;
  const visit = (v: unknown, depth: number): void => {
    if (total > cap) return;
    if (typeof v === 'string') total += 16 + 2 * v.length;
    else if (typeof v !== 'object' || v === null || depth > 64) total += 8;
    else if (Array.isArray(v)) {
      total += 16 + 8 * v.length;
      for (let i = 0; i < v.length && total <= cap; i++) visit(v[i], depth + 1);
    } else {
      const keys = Object.keys(v);
      total += 16 + 16 * keys.length;
      for (const k of keys) {
        if (total > cap) return;
        total += 2 * k.length;
        visit((v as Record<string, unknown>)[k], depth + 1);
      }
    }
  };
  visit(value, 0);
  return total;
}

function describeSize(value: unknown): string {
  if (typeof value === 'string') return `text of ${value.length} characters`;
  if (Array.isArray(value)) return `array of ${value.length} items`;
  return `object of ${Object.keys(value as object).length} keys`;
}

function formatPath(path: unknown): string {
  return typeof path === 'string' || typeof path === 'number' ? String(path) : formatValue(path);
}

function variableLabel(arg: Node): string | undefined {
  if (arg.kind !== 'op' || arg.op !== 'var') return undefined;
  const path = arg.args[0];
  if (path === undefined || path.kind !== 'literal') return undefined;
  return typeof path.value === 'string' || typeof path.value === 'number'
    ? String(path.value) || 'data'
    : undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
