import { describe, expect, it } from 'vitest';
import { conditionIn } from '../../server/condition-form.js';

describe('the condition builder form', () => {
  it('reads the filled rows and names a refusal by the row it was typed in', () => {
    const { condition, issues } = conditionIn('contract-guard', {
      'cond.join': 'and',
      'cond.1.over': 'all',
      'cond.1.3.field': 'weight',
      'cond.1.3.op': 'in',
      'cond.1.3.value': '3',
    });
    expect(condition.groups).toEqual([
      { over: 'all', join: 'and', clauses: [{ field: 'weight', op: 'in', value: ['3'] }] },
    ]);
    expect(issues).toEqual([
      {
        pointer: '/condition/1/3/op',
        message: 'Group 2, comparison 4: weight is a number: compare it (is, is below, …).',
      },
    ]);
  });

  it('reads a decimal comma, and refuses a thousands separator rather than misreading it', () => {
    const read = (value: string) =>
      conditionIn('indicator-guard', {
        'cond.0.0.field': 'weight',
        'cond.0.0.op': '<=',
        'cond.0.0.value': value,
      });
    expect(read('2,5').condition.groups[0]!.clauses[0]!.value).toBe(2.5);
    expect(read('1,000').issues.map((i) => i.pointer)).toEqual(['/condition/0/0/value']);
  });
});
