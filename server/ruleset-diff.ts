// What a draft changes against the version it would follow, before anyone publishes it: the
// sentences that go and come (the rules in words, section by section), and the JSON values that
// differ, each at its pointer.
import type { RuleSet, RuleSetDraft } from '../model/ruleset.js';
import { pointer } from '../model/errors.js';

export interface RuleSetChanges {
  removed: string[];
  added: string[];
  values: { pointer: string; before: string; after: string }[];
  /** More values differ than are listed. */
  more: number;
}

/** Values listed at most. */
const MAX_VALUES = 100;

export function ruleSetChanges(
  before: RuleSet | RuleSetDraft,
  after: RuleSet | RuleSetDraft,
  sentences: (r: RuleSet | RuleSetDraft) => string[],
): RuleSetChanges {
  const was = sentences(before);
  const is = sentences(after);
  const [a, b] = [comparable(before), comparable(after)];
  const values: RuleSetChanges['values'] = [];
  let count = 0;
  walk(a, b, [], (path, x, y) => {
    count++;
    if (values.length < MAX_VALUES)
      values.push({ pointer: pointer(...path), before: shown(x), after: shown(y) });
  });
  return {
    removed: was.filter((line) => !is.includes(line)),
    added: is.filter((line) => !was.includes(line)),
    values,
    more: count - values.length,
  };
}

function walk(
  x: unknown,
  y: unknown,
  path: (string | number)[],
  found: (path: (string | number)[], x: unknown, y: unknown) => void,
): void {
  if (JSON.stringify(x) === JSON.stringify(y)) return;
  const objects = (v: unknown) => typeof v === 'object' && v !== null;
  if (Array.isArray(x) && Array.isArray(y)) {
    for (let i = 0; i < Math.max(x.length, y.length); i++) walk(x[i], y[i], [...path, i], found);
    return;
  }
  if (objects(x) && objects(y) && !Array.isArray(x) && !Array.isArray(y)) {
    const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
    for (const key of keys)
      walk((x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key], [...path, key], found);
    return;
  }
  found(path, x, y);
}

/** A rule set without what differs between any draft and version: its number, the editors' notes. */
function comparable({ version: _, studio: __, ...content }: RuleSet | RuleSetDraft): object {
  return content;
}

function shown(value: unknown): string {
  return value === undefined ? '(none)' : JSON.stringify(value);
}
