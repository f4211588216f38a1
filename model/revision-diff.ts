// What changed between two revisions' indicators: the negotiation's paper trail.
import { sameJson } from './json.js';
import type { Indicator } from './contract.js';

export interface RevisionDiff {
  added: string[];
  removed: string[];
  changed: { indicator: string; field: keyof Indicator; from: unknown; to: unknown }[];
}

const FIELDS: (keyof Indicator)[] = [
  'name',
  'unit',
  'direction',
  'baseline',
  'target',
  'weight',
  'category',
  'aggregation',
  'criteria',
];

export function diffIndicators(from: Indicator[], to: Indicator[]): RevisionDiff {
  const before = new Map(from.map((i) => [i.id, i]));
  const after = new Map(to.map((i) => [i.id, i]));
  const changed: RevisionDiff['changed'] = [];
  for (const [id, next] of after) {
    const previous = before.get(id);
    if (!previous) continue;
    for (const field of FIELDS) {
      if (!sameJson(previous[field], next[field]))
        changed.push({ indicator: id, field, from: previous[field] ?? null, to: next[field] ?? null });
    }
  }
  return {
    added: [...after.keys()].filter((id) => !before.has(id)),
    removed: [...before.keys()].filter((id) => !after.has(id)),
    changed,
  };
}

/** Values of one field: numbers and strings by value, criteria tables by content. */

/** A revision's changes in words, indicators by name: "Immunisation: target 85 → 88". */
export function describeDiff(diff: RevisionDiff, before: Indicator[], after: Indicator[]): string[] {
  const name = (id: string) =>
    after.find((i) => i.id === id)?.name ?? before.find((i) => i.id === id)?.name ?? id;
  const shown = (v: unknown): string =>
    v === null || v === undefined ? 'none' : typeof v === 'string' ? v : JSON.stringify(v);
  return [
    ...diff.added.map((id) => `${name(id)}: added`),
    ...diff.removed.map((id) => `${name(id)}: removed`),
    ...diff.changed.map((c) => `${name(c.indicator)}: ${String(c.field)} ${shown(c.from)} → ${shown(c.to)}`),
  ];
}
