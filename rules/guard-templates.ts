// Vetting guards offices write most, as templates with typed parameters: each compiles to the
// JSON-Logic the engine runs over the terms (scope contract) or over each indicator (scope
// indicator), true passing, and reads as a sentence. Kept beside the rule in RuleSet.studio.guards.
import type { GuardTemplate } from '../model/ruleset.js';
import { compileCondition, describeBuilt } from './conditions.js';

export const GUARD_TEMPLATE_NAMES: Record<GuardTemplate['template'], string> = {
  'weights-sum': 'The weights add up to a total',
  'min-indicators': 'At least N indicators',
  'max-weight': 'No indicator weighs more than N',
  'not-below-baseline': "Each target at least as good as last year's actual (the baseline)",
  'not-below-last-actual': "Each target at least as good as the latest actual of the indicator's history",
  condition: 'Build a condition',
};

export function guardScope(t: GuardTemplate): 'contract' | 'indicator' {
  if (t.template === 'condition') return t.scope;
  return t.template === 'min-indicators' || t.template === 'weights-sum' ? 'contract' : 'indicator';
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
      return atLeastAsGood({ var: 'baseline' });
    case 'condition':
      return compileCondition(t.scope === 'contract' ? 'contract-guard' : 'indicator-guard', t.condition);
    case 'not-below-last-actual': {
      // The history's last item (reduce keeps the current one); no history passes.
      const last = { reduce: [{ var: 'history' }, { var: 'current' }, null] };
      return { if: [{ '==': [last, null] }, true, atLeastAsGood(last)] };
    }
  }
}

/** The target at least as good as `than`, in the indicator's direction. */
function atLeastAsGood(than: unknown): unknown {
  return {
    if: [
      { '==': [{ var: 'direction' }, 'lower'] },
      { '<=': [{ var: 'target' }, than] },
      { '>=': [{ var: 'target' }, than] },
    ],
  };
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
    case 'condition':
      return `${t.scope === 'contract' ? 'The terms pass when' : 'Each indicator passes when'} ${describeBuilt(t.scope === 'contract' ? 'contract-guard' : 'indicator-guard', t.condition)}.`;
    case 'not-below-last-actual':
      return "Each indicator passes when its target is at least as good as the latest value of its history (the last year's actual), in its direction; one without history passes.";
  }
}
