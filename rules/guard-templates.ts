// Vetting guards offices write most, as templates with typed parameters: each compiles to the
// JSON-Logic the engine runs over the terms (scope contract) or over each indicator (scope
// indicator), true passing, and reads as a sentence. Kept beside the rule in RuleSet.studio.guards.
import type { GuardTemplate } from '../model/ruleset.js';

export const GUARD_TEMPLATE_NAMES: Record<GuardTemplate['template'], string> = {
  'weights-sum': 'The weights add up to a total',
  'min-indicators': 'At least N indicators',
  'max-weight': 'No indicator weighs more than N',
  'not-below-baseline': "Each target at least as good as last year's actual (the baseline)",
};

export function guardScope(t: GuardTemplate): 'contract' | 'indicator' {
  return t.template === 'not-below-baseline' || t.template === 'max-weight' ? 'indicator' : 'contract';
}

/** The condition a guard template stands for: true passes. */
export function compileGuard(t: GuardTemplate): unknown {
  const count = { reduce: [{ var: 'indicators' }, { '+': [{ var: 'accumulator' }, 1] }, 0] };
  switch (t.template) {
    case 'weights-sum':
      return {
        '==': [
          {
            round: [
              {
                reduce: [
                  { var: 'indicators' },
                  { '+': [{ var: 'accumulator' }, { var: 'current.weight' }] },
                  0,
                ],
              },
              6,
            ],
          },
          t.total,
        ],
      };
    case 'min-indicators':
      return { '>=': [count, t.count] };
    case 'max-weight':
      return { '<=': [{ var: 'weight' }, t.weight] };
    case 'not-below-baseline':
      return {
        if: [
          { '==': [{ var: 'direction' }, 'lower'] },
          { '<=': [{ var: 'target' }, { var: 'baseline' }] },
          { '>=': [{ var: 'target' }, { var: 'baseline' }] },
        ],
      };
  }
}

export function describeGuard(t: GuardTemplate): string {
  switch (t.template) {
    case 'weights-sum':
      return `The terms pass when the indicators' weights add up to ${t.total}.`;
    case 'min-indicators':
      return `The terms pass when they have at least ${t.count} indicators.`;
    case 'max-weight':
      return `Each indicator passes when its weight is at most ${t.weight}.`;
    case 'not-below-baseline':
      return "Each indicator passes when its target is at least as good as its baseline (last year's actual), in its direction.";
  }
}
