// A published rule set that misbehaves on a real contract must not wedge it: scoring, vetting and
// renewal never throw inside the workflow. What could not be scored is said, and escalated.
import { describe, expect, it } from 'vitest';
import type { Indicator } from '../../model/contract.js';
import type { RuleSet } from '../../model/ruleset.js';
import { renewIndicators } from '../../rules/evaluation.js';
import { findBuiltInRuleSet } from '../../rules/library/index.js';
import { NOT_SCORED, RULE_ERROR_ESCALATION, runGuards, scorePeriod } from '../../rules/scoring.js';

const base = (): RuleSet => structuredClone(findBuiltInRuleSet('default', 1)!);
const indicators: Indicator[] = [
  { id: 'immunisation', name: 'Immunisation', direction: 'higher', baseline: 70, target: 85, weight: 60 },
  { id: 'boom', name: 'Boom', direction: 'lower', baseline: 30, target: 20, weight: 40 },
];
const actuals = { immunisation: 85, boom: 20 };

describe('scoring never throws', () => {
  it('leaves an indicator whose rule gives no number not scored, the period ungraded, and escalates', () => {
    const ruleSet = base();
    // Passes every probe (the probe indicators have other ids), fails on this contract.
    ruleSet.scoring.indicator = {
      if: [{ '==': [{ var: 'id' }, 'boom'] }, { var: 'nothing' }, ruleSet.scoring.indicator],
    };
    const review = scorePeriod(ruleSet, indicators, actuals, 'Q1');
    expect(review.indicators.map((i) => [i.id, i.score])).toEqual([
      ['immunisation', 3],
      ['boom', null],
    ]);
    expect(review.score).toBeNull();
    expect(review.grade).toBe(NOT_SCORED);
    expect(review.problems).toEqual(['the indicator rule for boom returned null, not a number']);
    expect(review.escalations.map((e) => [e.id, e.severity, e.notify])).toEqual([
      [RULE_ERROR_ESCALATION, 'high', ['managers']],
    ]);
    expect(review.escalations[0]!.message).toContain('the indicator rule for boom returned null');
  });

  it('keeps no grade name longer than a search attribute can hold', () => {
    const ruleSet = base();
    ruleSet.scoring.grade = {
      if: [{ '<': [{ var: 'composite' }, 3.5] }, { cat: ['x', 'y'.repeat(2500)] }, 'Poor'],
    };
    const review = scorePeriod(ruleSet, indicators, actuals, 'Q1');
    expect(review.grade).toBe(NOT_SCORED);
    expect(review.score).toBeNull();
    expect(review.problems![0]).toMatch(
      /^the grade rule returned "xyyy.*…, not a grade name of 1 to 100 characters$/,
    );
  });

  it('reports a rule over its work budget as a problem, not an exception', () => {
    const ruleSet = base();
    const doubling = {
      reduce: [[...Array(40).keys()], { merge: [{ var: 'accumulator' }, { var: 'accumulator' }] }, [1]],
    };
    ruleSet.escalations[0]!.when = { '!': doubling };
    const review = scorePeriod(ruleSet, indicators, actuals, 'Q1');
    expect(review.score).toBe(3);
    expect(review.problems![0]).toMatch(/^the escalation rule fair-or-poor cannot run: /);
    expect(review.escalations.map((e) => e.id)).toEqual([RULE_ERROR_ESCALATION]);
  });

  it('counts a guard that cannot run as refusing the terms, saying why', () => {
    const ruleSet = base();
    ruleSet.guards[0]!.rule = {
      reduce: [[...Array(40).keys()], { merge: [{ var: 'accumulator' }, { var: 'accumulator' }] }, [1]],
    };
    const failures = runGuards(ruleSet, indicators);
    expect(failures[0]).toMatchObject({ guard: ruleSet.guards[0]!.id, pointer: '/indicators' });
    expect(failures[0]!.message).toMatch(/^the guard cannot run: /);
  });

  it("keeps this year's target where the renewal rule gives none", () => {
    const ruleSet = base();
    ruleSet.renewal.target = { if: [{ '==': [{ var: 'actual' }, null] }, 'n/a', { var: 'actual' }] };
    const problems: string[] = [];
    const year = [
      { ...indicators[0]!, aggregation: 'mean', actual: 80, score: 3 },
      { ...indicators[1]!, aggregation: 'mean', actual: null, score: 5 },
    ];
    const renewed = renewIndicators(ruleSet, indicators, year, problems);
    expect(renewed.map((i) => [i.id, i.baseline, i.target])).toEqual([
      ['immunisation', 80, 80],
      ['boom', 30, 20],
    ]);
    expect(problems).toEqual(['the renewal rule gave "n/a" for boom, not a number; its target stays 20']);
  });
});
