// Rules read as sentences: the built-in rule sets' own rules, and shapes people write.
import { describe, expect, it } from 'vitest';
import { describeChoice, describeCondition, describeRule } from '../../rules/sentences.js';
import { findBuiltInRuleSet } from '../../rules/library/index.js';

const defaults = findBuiltInRuleSet('default', 1)!;

describe('rules in words', () => {
  it("reads the default rule set's grade bands as one sentence per band, best first", () => {
    expect(describeChoice(defaults.scoring.grade, 'the grade')).toEqual([
      'If the composite is at most 2.4, the grade is Excellent.',
      'Otherwise, if the composite is at most 3, the grade is Very Good.',
      'Otherwise, if the composite is at most 3.6, the grade is Good.',
      'Otherwise, if the composite is at most 4, the grade is Fair.',
      'Otherwise the grade is Poor.',
    ]);
  });

  it('reads escalations, guards and sums over the indicators', () => {
    const [fairOrPoor] = defaults.escalations;
    expect(describeCondition(fairOrPoor!.when)).toBe('When the grade is Fair or Poor.');
    const weights = defaults.guards.find((g) => g.id === 'weights-sum-100')!;
    expect(describeRule(weights.rule)).toBe(
      "the sum of the indicator's weight over the indicators rounded to 6 decimals is 100",
    );
    const count = defaults.guards.find((g) => g.id === 'min-indicators')!;
    expect(describeRule(count.rule)).toBe('the number of the indicators is at least 2');
    expect(
      describeRule({
        and: [
          { in: [{ var: 'grade' }, ['Fair', 'Poor']] },
          { in: [{ var: 'previous.last.grade' }, ['Fair', 'Poor']] },
        ],
      }),
    ).toBe("the grade is Fair or Poor and the previous period's grade is Fair or Poor");
  });

  it('reads the default score: missing scores 5, else a line from the poor criterion to excellent', () => {
    const [missing, line] = describeChoice(defaults.scoring.indicator, 'the score');
    expect(missing).toBe('If the actual is missing, the score is 5.');
    expect(line).toContain(
      'Otherwise the score is the actual read on a straight line between 5 at the indicator\'s "poor" criterion',
    );
    expect(line).toContain("3 at the quarter's target (else the target)");
    expect(line).toContain('rounded to 2 decimals');
  });

  it('describes what it has no words for operator by operator, never by guessing', () => {
    expect(describeRule({ substr: [{ var: 'name' }, 0, 3] })).toBe('substr of the name, 0 and 3');
    expect(describeRule({ '<': [0, { var: 'actual' }, 100] })).toBe('the actual lies between 0 and 100');
    expect(describeRule({ '!=': [{ var: 'actual' }, null] })).toBe('the actual is given');
  });
});
