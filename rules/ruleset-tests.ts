// A rule set's own test cases: each names a slot, the data its rule receives and the result
// expected. They run before a version is published; a failure shows the trace of the rule's run.
import type { RuleSetTest } from '../model/ruleset.js';
import { compile, describeTrace, explain, RuleError } from './engine/index.js';
import { isCondition, slotsOf, type Slot } from './ruleset-slots.js';
import { closest } from './suggest.js';

export interface TestOutcome {
  /** Index in the rule set's `tests`; its pointer is /tests/<index>. */
  index: number;
  description: string;
  slot: string;
  passed: boolean;
  expected: unknown;
  /** What the rule returned; absent when it could not run. */
  actual?: unknown;
  /** Why it failed, in a sentence. */
  message?: string;
  /** For a failure: the rule's run, step by step (rules/engine describeTrace). */
  trace?: string[];
}

/** Longest trace printed with a failure: enough to see the branch taken, short enough to read. */
const MAX_TRACE_LINES = 25;

/** Runs every well-formed test case of a rule set document; malformed ones are the schema's to report. */
export function runRuleSetTests(document: unknown): TestOutcome[] {
  const tests = (document as { tests?: unknown } | null)?.tests;
  if (!Array.isArray(tests)) return [];
  const slots = slotsOf(document);
  const outcomes: TestOutcome[] = [];
  tests.forEach((value: unknown, index) => {
    if (!isTestCase(value)) return;
    outcomes.push(runTest(value, index, slots));
  });
  return outcomes;
}

function runTest(test: RuleSetTest, index: number, slots: Slot[]): TestOutcome {
  const base = { index, description: test.description, slot: test.slot, expected: test.expect };
  const slot = slots.find((s) => s.ref === test.slot);
  if (!slot) {
    const refs = slots.map((s) => s.ref);
    const guess = closest(test.slot, refs);
    const hint = guess ? `did you mean '${guess}'?` : `slots: ${refs.join(', ')}`;
    return { ...base, passed: false, message: `there is no rule at slot '${test.slot}'; ${hint}` };
  }
  let actual: unknown;
  try {
    actual = compile(slot.rule)(test.data);
  } catch (err) {
    if (!(err instanceof RuleError)) throw err;
    return {
      ...base,
      passed: false,
      message: `the rule at ${slot.pointer}${err.pointer} cannot run: ${err.message}`,
    };
  }
  const condition = isCondition(slot.kind) && typeof test.expect === 'boolean';
  const got = condition ? truthy(actual) : actual;
  if (sameValue(got, test.expect)) return { ...base, passed: true, actual: got };
  const shown = condition && typeof actual !== 'boolean' ? `${json(actual)} (${String(got)})` : json(actual);
  return {
    ...base,
    passed: false,
    actual: got,
    message: `expected ${json(test.expect)}, got ${shown}`,
    trace: shorten(describeTrace(explain(slot.rule, test.data))),
  };
}

function isTestCase(value: unknown): value is RuleSetTest {
  if (typeof value !== 'object' || value === null) return false;
  const test = value as Record<string, unknown>;
  return typeof test.description === 'string' && typeof test.slot === 'string' && 'expect' in test;
}

/** Deep equality of JSON values; numbers equal within 1e-9, so 0.1 + 0.2 passes for 0.3. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-9;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameValue(item, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every(
      (k) =>
        Object.hasOwn(b, k) &&
        sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    );
  }
  return a === b;
}

/** JSON-Logic truthiness: an empty array is false, "0" is true. */
export function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

function json(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

function shorten(lines: string[]): string[] {
  if (lines.length <= MAX_TRACE_LINES) return lines;
  return [...lines.slice(0, MAX_TRACE_LINES - 1), `… ${lines.length - MAX_TRACE_LINES + 1} more steps`];
}
