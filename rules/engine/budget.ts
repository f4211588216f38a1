// The work one evaluation may do. Size limits bound each value a rule creates, and the step limit
// the items its iterators visit; this budget bounds what the operators do with them: every element
// or character an operator creates or scans (merge, cat, substr, in, text conversions) is charged,
// so a rule that copies a large array in a loop stops with a RuleError instead of running for
// seconds. One evaluation runs at a time (evaluation is synchronous), so one counter suffices.
import { RuleError } from './errors.js';
import { LIMITS } from './limits.js';

let used = 0;
let limit: number = LIMITS.maxWork;

/** Starts the count of an evaluation. */
export function beginWork(): void {
  used = 0;
}

/** Charges `units` of work to the evaluation under way; past the limit, a RuleError at `pointer`. */
export function chargeWork(units: number, pointer: string): void {
  used += units;
  if (used > limit) {
    throw new RuleError(
      `more than ${limit} units of work in one evaluation (limit maxWork: elements and characters created or scanned)`,
      pointer,
      'limit_exceeded',
    );
  }
}

/** The work the latest evaluation did so far. */
export function workUsed(): number {
  return used;
}

/** Runs `fn` with a lower work limit (validation probes rules with the budget of a review). */
export function withWorkLimit<T>(max: number, fn: () => T): T {
  const saved = limit;
  limit = Math.min(max, LIMITS.maxWork);
  try {
    return fn();
  } finally {
    limit = saved;
  }
}
