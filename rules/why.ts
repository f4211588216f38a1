// Why an escalation fired, in words, for review documents and emails: the engine's trace of the
// rule's run (explain + describeTrace), cut to what decided the result. Over a list of indicators
// only the items that made the condition hold are shown, named by their id, not their position.
import { describeTrace, explain, type TraceNode } from './engine/index.js';

/** Longest explanation kept in a review: a reader follows a dozen lines, not a hundred. */
export const MAX_WHY_LINES = 12;

const ITERATORS = new Set(['map', 'filter', 'reduce', 'all', 'none', 'some']);

export function whyItFired(rule: unknown, facts: unknown): string[] {
  const trace = explain(rule, facts);
  const lines: string[] = [];
  for (const { node, item } of relevantSteps(trace)) {
    const line = ITERATORS.has(node.operator) ? iteratorLine(node) : describeOne(node);
    if (line === undefined) continue;
    lines.push(`${'  '.repeat(node.depth)}${item === undefined ? '' : `[${item}] `}${line}`);
  }
  if (lines.length <= MAX_WHY_LINES) return lines;
  return [...lines.slice(0, MAX_WHY_LINES - 1), `… ${lines.length - MAX_WHY_LINES + 1} more steps`];
}

interface Step {
  node: TraceNode;
  /** The item of the innermost iterator this step ran for: its id when it has one, else its position. */
  item?: string;
}

/**
 * The trace in order, without the items of an iterator that did not decide its result: for some,
 * filter and none the items whose condition held; for all those whose condition failed.
 */
function relevantSteps(trace: readonly TraceNode[]): Step[] {
  const steps: Step[] = [];
  const visit = (from: number, to: number, item: string | undefined): void => {
    let i = from;
    while (i < to) {
      const node = trace[i]!;
      const end = subtreeEnd(trace, i);
      steps.push({ node, ...(item === undefined ? {} : { item }) });
      if (ITERATORS.has(node.operator)) visitItems(node, i + 1, end);
      else visit(i + 1, end, item);
      i = end;
    }
  };
  const visitItems = (iterator: TraceNode, from: number, to: number): void => {
    const items = Array.isArray(iterator.inputs[0]) ? (iterator.inputs[0] as unknown[]) : [];
    let i = from;
    while (i < to) {
      const node = trace[i]!;
      const end = subtreeEnd(trace, i);
      const index = node.iteration.length > iterator.iteration.length ? node.iteration.at(-1) : undefined;
      if (index === undefined) visit(i, end, undefined);
      else if (decides(iterator.operator, node.output)) visit(i, end, itemName(items[index], index));
      i = end;
    }
  };
  visit(0, trace.length, undefined);
  return steps;
}

/** A node's subtree runs until the next node at its depth or above. */
function subtreeEnd(trace: readonly TraceNode[], start: number): number {
  const depth = trace[start]!.depth;
  let end = start + 1;
  while (end < trace.length && trace[end]!.depth > depth) end++;
  return end;
}

function decides(operator: string, output: unknown): boolean {
  const holds = Array.isArray(output) ? output.length > 0 : Boolean(output);
  if (operator === 'all') return !holds;
  if (operator === 'some' || operator === 'filter' || operator === 'none') return holds;
  return true;
}

function itemName(item: unknown, index: number): string {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : `item ${index + 1}`;
}

/** One node in words, without its pointer: readers of a review know the rule by its name. */
function describeOne(node: TraceNode): string | undefined {
  const line = describeTrace([node])[0];
  if (line === undefined) return undefined;
  const at = node.pointer === '' ? '(root)' : node.pointer;
  const where = node.iteration.length > 0 ? `${at} [item ${node.iteration.join('.')}]` : at;
  const prefix = `${'  '.repeat(node.depth)}${where}: `;
  return line.startsWith(prefix) ? line.slice(prefix.length) : line.trimStart();
}

/** "some over indicators (8 items) → true": the list itself is shown item by item below. */
function iteratorLine(node: TraceNode): string {
  const source = node.inputs[0];
  const what = node.labels[0] ?? 'the list';
  const count = Array.isArray(source) ? ` (${source.length} item${source.length === 1 ? '' : 's'})` : '';
  const output = node.output;
  const result = Array.isArray(output)
    ? `${output.length} item${output.length === 1 ? '' : 's'}${
        output.length > 0
          ? `: ${output
              .map((item, i) => itemName(item, i))
              .slice(0, 8)
              .join(', ')}`
          : ''
      }`
    : (JSON.stringify(output) ?? 'nothing');
  return `${node.operator} over ${what}${count} → ${result}`;
}
