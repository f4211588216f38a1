// docs/rules.md is the performance office's reference: it must name every variable each rule slot
// receives (the table in rules/ruleset-slots.ts), and its worked examples must be what Covenant computes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../cli/temporal-binaries.js';
import type { Indicator } from '../../model/contract.js';
import { findBuiltInRuleSet } from '../../rules/library/index.js';
import { SLOT_CONTEXTS, type SlotKind } from '../../rules/ruleset-slots.js';
import { scorePeriod } from '../../rules/scoring.js';

const docs = readFileSync(join(projectRoot, 'docs', 'rules.md'), 'utf8');

function section(kind: string): string {
  const start = docs.indexOf(`<!-- slot: ${kind} -->`);
  expect(start, `docs/rules.md has a section for the ${kind} slot`).toBeGreaterThanOrEqual(0);
  const end = docs.slice(start + 1).search(/<!-- (slot:|end of slots)/);
  return docs.slice(start, start + 1 + end);
}

describe('docs/rules.md', () => {
  it.each(Object.keys(SLOT_CONTEXTS) as SlotKind[])('names every variable of the %s slot', (kind) => {
    const text = section(kind);
    for (const [name, spec] of Object.entries(SLOT_CONTEXTS[kind].variables)) {
      expect(text).toContain(`\`${name}`);
      for (const field of Object.keys(spec.items?.properties ?? {}))
        expect(text).toContain(`\`${name}[].${field}\``);
    }
  });

  it('works its examples with the numbers Covenant computes', () => {
    const indicators: Indicator[] = [
      { id: 'immunisation', name: 'Immunised', direction: 'higher', baseline: 78, target: 85, weight: 60 },
      {
        id: 'maternal-deaths',
        name: 'Maternal deaths',
        direction: 'lower',
        baseline: 310,
        target: 280,
        weight: 40,
      },
    ];
    const q1 = { immunisation: 83, 'maternal-deaths': 292 };
    const worked = (id: string) => {
      const review = scorePeriod(findBuiltInRuleSet(id, 1)!, indicators, q1, 'Q1');
      return [
        review.indicators.map((i) => i.score),
        review.score,
        review.grade,
        review.escalations.map((e) => e.id),
      ];
    };
    expect(worked('default')).toEqual([[3.57, 3.8], 3.66, 'Fair', ['fair-or-poor']]);
    expect(worked('percent')).toEqual([[81.43, 78], 80.06, 'Good', []]);
    expect(worked('threshold')).toEqual([[5.71, 5.33], 5.56, 'Amber', []]);
    for (const figure of ['**3.66, Fair**', '**80.06, Good**', '**5.56, Amber**'])
      expect(docs).toContain(figure);
    const own = { ...indicators[0]!, criteria: { redFlag: 80, goal: 90 } };
    expect(scorePeriod(findBuiltInRuleSet('threshold', 1)!, [own], q1, 'Q1').indicators[0]!.score).toBe(4.33);
  });
});
