// What performance offices write most as escalation conditions, as templates with typed
// parameters: each compiles to the JSON-Logic the engine runs over a review (rules/ruleset-slots.ts,
// slot `escalation`) and reads as a sentence. The studio keeps the template and its parameters
// beside the rule (RuleSet.studio.escalations), never the other way round.
import type { EscalationTemplate } from '../model/ruleset.js';
import { compileCondition, describeBuilt } from './conditions.js';

export const TEMPLATE_NAMES: Record<EscalationTemplate['template'], string> = {
  'grade-in': 'The grade is one of …',
  'grade-twice': 'Two quarters in a row graded one of …',
  'below-target': 'An indicator below its quarter target by more than N%',
  'two-below-target': 'Two quarters in a row below target',
  'missing-figures': 'N or more figures not reported',
  condition: 'Build a condition',
};

/** The condition a template stands for, over an escalation's variables. */
export function compileTemplate(t: EscalationTemplate, better: 'higher' | 'lower'): unknown {
  switch (t.template) {
    case 'grade-in':
      return { in: [{ var: 'grade' }, t.grades] };
    case 'grade-twice':
      return {
        and: [{ in: [{ var: 'grade' }, t.grades] }, { in: [{ var: 'previous.last.grade' }, t.grades] }],
      };
    case 'below-target': {
      const share = t.percent / 100;
      return {
        some: [
          { var: 'indicators' },
          {
            and: [
              { '!=': [{ var: 'actual' }, null] },
              {
                if: [
                  { '==': [{ var: 'direction' }, 'lower'] },
                  {
                    '>': [
                      { var: 'actual' },
                      {
                        '+': [{ var: 'periodTarget' }, { '*': [{ abs: [{ var: 'periodTarget' }] }, share] }],
                      },
                    ],
                  },
                  {
                    '<': [
                      { var: 'actual' },
                      {
                        '-': [{ var: 'periodTarget' }, { '*': [{ abs: [{ var: 'periodTarget' }] }, share] }],
                      },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      };
    }
    case 'two-below-target': {
      // Below target: a composite worse than the one every target met gives (`composite`).
      const worse = better === 'lower' ? '>' : '<';
      return {
        and: [
          { [worse]: [{ var: 'composite' }, t.composite] },
          { '!=': [{ var: 'previous.last.composite' }, null] },
          { [worse]: [{ var: 'previous.last.composite' }, t.composite] },
        ],
      };
    }
    case 'condition':
      return compileCondition('escalation', t.condition);
    case 'missing-figures':
      return { '>=': [{ reduce: [{ var: 'missing' }, { '+': [{ var: 'accumulator' }, 1] }, 0] }, t.count] };
  }
}

/** The template as a sentence: "When two quarters in a row the composite is worse than 3." */
export function describeTemplate(t: EscalationTemplate, better: 'higher' | 'lower'): string {
  switch (t.template) {
    case 'grade-in':
      return `When the grade is ${or(t.grades)}.`;
    case 'grade-twice':
      return `When the grade is ${or(t.grades)} two quarters in a row.`;
    case 'below-target':
      return `When an indicator's actual is worse than its quarter's target by more than ${t.percent}%.`;
    case 'two-below-target':
      return `When the composite is worse than ${t.composite} (${better === 'lower' ? 'above' : 'below'} it: below target) two quarters in a row.`;
    case 'condition':
      return `When ${describeBuilt('escalation', t.condition)}.`;
    case 'missing-figures':
      return `When ${t.count} or more figures are not reported.`;
  }
}

function or(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? 'none') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
