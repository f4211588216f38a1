// Suggested targets: the trend, the peers' percentiles, Covenant's default rule and a rule set's own.
import { describe, expect, it } from 'vitest';
import type { Indicator } from '../../model/contract.js';
import type { RuleSet } from '../../model/ruleset.js';
import { findBuiltInRuleSet } from '../../rules/library/index.js';
import { lessAmbitious, NO_PEERS, peersOf, suggestTargets, trend } from '../../rules/targets.js';

const ruleSet = findBuiltInRuleSet('default', 1) as RuleSet;
const immunisation: Indicator = {
  id: 'immunisation',
  name: 'Immunised',
  direction: 'higher',
  baseline: 78,
  target: 85,
  weight: 50,
};
const waiting: Indicator = { ...immunisation, id: 'waiting', direction: 'lower', baseline: 95, target: 70 };

describe('suggested targets', () => {
  it('projects the least-squares trend one year on, and takes percentiles as PostgreSQL does', () => {
    expect(trend([70, 74, 78])).toBe(82);
    expect(trend([70, 75, 74, 79])).toBe(81);
    expect(trend([70])).toBeNull();
    expect(peersOf([60, 90, 70, 80])).toEqual({ count: 4, p25: 67.5, median: 75, p75: 82.5 });
    expect(peersOf([])).toEqual(NO_PEERS);
  });

  it("suggests the better of the trend and the last actual plus 5%, never worse than the peers' median", () => {
    const [fromTrend, fromPeers, none] = suggestTargets(
      ruleSet,
      [
        { ...immunisation, history: [70, 74, 78] },
        { ...waiting, history: [100, 96] },
        { ...immunisation, id: 'new' },
      ],
      { waiting: peersOf([60, 70, 80]) },
    );
    // max(trend 82, 78 x 1.05 = 81.9) = 82.
    expect(fromTrend).toMatchObject({ target: 82, inputs: { trend: 82, lastActual: 78 } });
    expect(fromTrend!.rule).toMatch(/^Covenant's default/);
    expect(fromTrend!.why!.length).toBeGreaterThan(0);
    // Lower is better: min(trend 92, 96 x 0.95 = 91.2, median 70) = 70.
    expect(fromPeers).toMatchObject({ target: 70, inputs: { trend: 92, peers: { median: 70, count: 3 } } });
    expect(none).toMatchObject({ target: null, inputs: { history: [], trend: null, peers: NO_PEERS } });
  });

  it("runs the rule set's own targets.suggest, and says so when it fails", () => {
    const own: RuleSet = { ...ruleSet, targets: { suggest: { '+': [{ var: 'peers.p75' }, 1] } } };
    const [s] = suggestTargets(own, [immunisation], { immunisation: peersOf([80, 84, 88, 92]) });
    expect(s).toMatchObject({ target: 90, rule: 'targets.suggest of default v1' });
    const broken: RuleSet = { ...ruleSet, targets: { suggest: { cat: ['x', { var: 'trend' }] } } };
    const [b] = suggestTargets(broken, [immunisation], {});
    expect(b).toMatchObject({ target: null, problem: 'the rule gave "x", not a number' });
  });

  it('finds a target less ambitious than its suggestion, in its direction', () => {
    const suggestion = {
      target: 90,
      rule: 'r',
      inputs: { history: [], trend: null, lastActual: null, peers: NO_PEERS },
    };
    expect(lessAmbitious({ ...immunisation, suggestion })).toBe(true);
    expect(lessAmbitious({ ...immunisation, target: 90, suggestion })).toBe(false);
    expect(lessAmbitious({ ...waiting, target: 95, suggestion })).toBe(true);
    expect(lessAmbitious(immunisation)).toBe(false);
  });
});
