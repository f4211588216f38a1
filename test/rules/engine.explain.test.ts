// explain() and describeTrace(): why a rule gave its result, in words fit for a review document.
import { describe, expect, it } from 'vitest';
import { describeTrace, evaluate, explain } from '../../rules/engine/index.js';

describe('explain', () => {
  it('records each evaluated operation with its pointer, inputs and output, root first', () => {
    const rule = { if: [{ '<': [{ var: 'actual' }, { var: 'target' }] }, 'escalate', 'ok'] };
    const trace = explain(rule, { actual: 72, target: 85 });
    expect(trace[0]).toMatchObject({
      pointer: '',
      operator: 'if',
      output: 'escalate',
      depth: 0,
      chosen: '/if/1',
      because: '/if/0',
    });
    expect(trace[1]).toMatchObject({
      pointer: '/if/0',
      operator: '<',
      inputs: [72, 85],
      output: true,
      labels: ['actual', 'target'],
    });
    expect(trace.find((n) => n.pointer === '/if/0/</0')).toMatchObject({
      operator: 'var',
      inputs: ['actual'],
      output: 72,
    });
  });

  it('says in plain words why an escalation fired', () => {
    const rule = { if: [{ '<': [{ var: 'actual' }, { var: 'target' }] }, 'escalate', 'ok'] };
    expect(describeTrace(explain(rule, { actual: 72, target: 85 }))).toEqual([
      '(root): /if/0 is true, so /if/1 → "escalate"',
      '  /if/0: actual (72) < target (85) → true',
    ]);
  });

  it('shows which item of an iterator triggered, and the else branch of a chain', () => {
    const rule = {
      some: [{ var: 'indicators' }, { '<': [{ var: 'actual' }, { '*': [0.5, { var: 'target' }] }] }],
    };
    const lines = describeTrace(
      explain(rule, {
        indicators: [
          { actual: 80, target: 100 },
          { actual: 40, target: 100 },
        ],
      }),
    );
    expect(lines[0]).toBe(
      '(root): some over indicators ([{"actual": 80, "target": 100}, {"actual": 40, "target": 100}]) → true',
    );
    expect(lines).toContain('  /some/1 [item 1]: actual (40) < 50 → true');
    expect(lines).toContain('    /some/1/</1 [item 1]: 0.5 * target (100) → 50');
    const grade = {
      if: [{ '>=': [{ var: 'score' }, 4.5] }, 'A', { '>=': [{ var: 'score' }, 3.5] }, 'B', 'C'],
    };
    expect(describeTrace(explain(grade, { score: 3 }))).toEqual([
      '(root): no condition holds, so the else /if/4 → "C"',
      '  /if/0: score (3) >= 4.5 → false',
      '  /if/2: score (3) >= 3.5 → false',
    ]);
  });

  it('lists only the operands a lazy operator evaluated', () => {
    const trace = explain({ and: [false, { var: 'never' }] }, {});
    expect(trace).toHaveLength(1);
    expect(trace[0]).toMatchObject({ operator: 'and', inputs: [false], output: false });
  });

  it('gives the same result as evaluate, for values that are not operations too', () => {
    for (const [rule, data] of [
      [5, {}],
      [[1, { var: 'x' }], { x: 2 }],
      [{ a: 1, b: 2 }, {}],
      [{ var: 'x' }, { x: [1] }],
    ] as const) {
      expect(explain(rule, data)[0]!.output).toEqual(evaluate(rule, data));
    }
    expect(describeTrace(explain({ var: 'x' }, { x: 3 }))).toEqual(['(root): x → 3']);
  });

  it('keeps a bounded trace over large data', () => {
    const data = { xs: Array.from({ length: 20_000 }, (_, i) => i) };
    const trace = explain({ map: [{ var: 'xs' }, { '+': [{ var: '' }, 1] }] }, data);
    expect(trace.length).toBeLessThanOrEqual(10_001);
    // A value too large to keep is kept as what it is: the trace stays small in bytes too.
    expect(describeTrace(trace)[0]).toContain('‹array of 20000 items›');
    expect(describeTrace(trace).at(-1)).toMatch(/^… \d+ more steps not shown$/);
  });
});
