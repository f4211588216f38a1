// What-if simulation: the draft's outcomes beside those as reviewed, and the summary a performance
// office reads before publishing. Its scores must be the ones a review would give.
import { describe, expect, it } from 'vitest';
import type { Indicator } from '../../model/contract.js';
import type { RuleSet } from '../../model/ruleset.js';
import type { ContractState, PeriodState, Review } from '../../model/state.js';
import { RuleError } from '../../rules/engine/index.js';
import { builtInRuleSets, findBuiltInRuleSet } from '../../rules/library/index.js';
import { scorePeriod } from '../../rules/scoring.js';
import { periodContext } from '../../rules/period-context.js';
import { simulate, simulationContract, type SimulationContract } from '../../rules/simulate.js';
import { decodeFigures, encodeFigures } from '../../rules/simulation-figures.js';

const defaults = findBuiltInRuleSet('default', 1)!;
const imm: Indicator = {
  id: 'imm',
  name: 'Immunised',
  unit: '%',
  direction: 'higher',
  baseline: 78,
  target: 85,
  weight: 40,
};
const mmr: Indicator = {
  id: 'mmr',
  name: 'Maternal deaths',
  direction: 'lower',
  baseline: 310,
  target: 280,
  weight: 60,
  category: 'Health',
};

/** default with the Very Good band ending at 2.80 instead of 3.00. */
function stricter(): RuleSet {
  const draft = structuredClone(defaults);
  draft.scoring.grade = {
    if: [
      { '<=': [{ var: 'composite' }, 2.4] },
      'Excellent',
      { '<=': [{ var: 'composite' }, 2.8] },
      'Very Good',
      { '<=': [{ var: 'composite' }, 3.6] },
      'Good',
      { '<=': [{ var: 'composite' }, 4] },
      'Fair',
      'Poor',
    ],
  };
  return draft;
}

function reviewed(
  actuals: Record<string, number | null>,
  period = 'Q1',
): SimulationContract['periods'][number] {
  const r = scorePeriod(defaults, [imm, mmr], actuals, period);
  return {
    id: period,
    indicators: [imm, mmr],
    actuals,
    before: { score: r.score!, grade: r.grade, escalations: r.escalations.map((e) => e.id) },
  };
}

describe('simulate', () => {
  it('gives every period the composite, grade and escalations a review would give', () => {
    const actuals = [
      { imm: 83, mmr: 292 },
      { imm: 90, mmr: null },
      { imm: null, mmr: 250 },
      { imm: 70.5, mmr: 330 },
    ];
    for (const ruleSet of builtInRuleSets) {
      const result = simulate(ruleSet, [
        {
          id: 'c',
          periods: actuals.map((a, i) => ({ id: `Q${i + 1}`, indicators: [imm, mmr], actuals: a })),
        },
      ]);
      result.contracts[0]!.periods.forEach((p, i) => {
        const review = scorePeriod(ruleSet, [imm, mmr], actuals[i]!, `Q${i + 1}`);
        expect(p.after).toEqual({
          score: review.score,
          grade: review.grade,
          escalations: review.escalations.map((e) => e.id),
        });
      });
    }
  });

  it('summarises how many grades change, in which direction, and the grades before and after', () => {
    const result = simulate(stricter(), [
      // 2.4 stays Excellent; 2.77 (mmr 2.62) is Very Good either way.
      {
        id: 'A',
        title: 'Contract A',
        periods: [reviewed({ imm: 85, mmr: 252 }), reviewed({ imm: 85, mmr: 269.36 }, 'Q2')],
      },
      // 2.94: Very Good before, Good now.
      { id: 'B', periods: [reviewed({ imm: 85, mmr: 277.2 })] },
      // Never reviewed: counted as new.
      { id: 'C', periods: [{ id: 'Q1', indicators: [imm, mmr], actuals: { imm: 80, mmr: 300 } }] },
    ]);
    expect(result.summary).toMatchObject({
      contracts: 3,
      periods: 4,
      gradesChanged: 1,
      better: 0,
      worse: 1,
      same: 2,
      new: 1,
      failed: 0,
      escalationsChanged: 0,
    });
    expect({ ...result.summary.grades.before }).toEqual({ Excellent: 1, 'Very Good': 2 });
    expect({ ...result.summary.grades.after }).toEqual({ Excellent: 1, 'Very Good': 1, Good: 1, Poor: 1 });
    expect({ ...result.summary.escalations.after }).toEqual({ 'fair-or-poor': 1 });
    expect(result.contracts.find((c) => c.id === 'B')!.periods).toEqual([
      {
        period: 'Q1',
        before: { score: 2.94, grade: 'Very Good', escalations: [] },
        after: { score: 2.94, grade: 'Good', escalations: [] },
        change: 'worse',
      },
    ]);
    expect(result.contracts[0]!.title).toBe('Contract A');
  });

  it('leaves unchanged periods out on request, and still counts them', () => {
    const result = simulate(
      stricter(),
      [
        { id: 'A', periods: [reviewed({ imm: 85, mmr: 252 })] },
        { id: 'B', periods: [reviewed({ imm: 85, mmr: 277.2 })] },
      ],
      { onlyChanged: true },
    );
    expect(result.contracts.map((c) => c.id)).toEqual(['B']);
    expect(result.summary.same).toBe(1);
  });

  it('fails only the periods a rule cannot score, saying why', () => {
    const draft = structuredClone(defaults);
    // Null for a missing actual: the workflow could not use it, so the simulation says so.
    draft.scoring.indicator = { if: [{ '==': [{ var: 'actual' }, null] }, null, 3] };
    const result = simulate(draft, [
      { id: 'A', periods: [reviewed({ imm: 85, mmr: 252 }), reviewed({ imm: 85, mmr: null }, 'Q2')] },
    ]);
    expect(result.summary).toMatchObject({ periods: 2, failed: 1 });
    expect(result.contracts[0]!.periods[1]).toMatchObject({
      period: 'Q2',
      after: null,
      change: 'failed',
      error: "scoring.indicator gave null for 'mmr', not a number",
    });
  });

  it('refuses a draft whose rule cannot run, pointing into the document', () => {
    const draft = structuredClone(defaults);
    draft.scoring.composite = { pow: [2, 3] };
    expect(() => simulate(draft, [])).toThrow(RuleError);
    try {
      simulate(draft, []);
    } catch (err) {
      expect((err as RuleError).pointer).toBe('/scoring/composite');
    }
  });

  it('reads a contract state: agreed actuals with moderations, against the revision reviewed', () => {
    const review: Review = {
      reviewedAt: '2026-01-20T10:00:00Z',
      revision: 1,
      score: 3.68,
      grade: 'Fair',
      indicators: [],
      missing: [],
      escalations: [{ id: 'fair-or-poor', severity: 'high', message: 'm', notify: ['managers'] }],
    };
    const period = (id: string, extra: Partial<PeriodState>): PeriodState => ({
      id,
      start: '2025-10-01',
      end: '2025-12-31',
      due: '2026-01-15',
      revision: 2,
      requested: true,
      ladder: [],
      late: false,
      moderations: [],
      superseded: [],
      ...extra,
    });
    const state = {
      id: 'PC-1',
      title: 'Health',
      revisions: [
        { number: 1, indicators: [imm, mmr] },
        { number: 2, indicators: [{ ...imm, target: 90 }, mmr] },
      ],
      periods: [
        period('Q1', {
          report: { actuals: { imm: 83, mmr: 292 }, submittedAt: '2026-01-10T00:00:00Z', late: false },
          moderations: [
            {
              indicator: 'imm',
              from: 83,
              to: 81,
              reason: 'evidence',
              by: { name: 'M', email: 'm@x' },
              at: '2026-01-21T00:00:00Z',
            },
          ],
          review,
        }),
        period('Q2', {}),
      ],
    } as unknown as ContractState;
    expect(simulationContract(state)).toEqual({
      id: 'PC-1',
      title: 'Health',
      quarters: 2,
      periods: [
        {
          id: 'Q1',
          indicators: [imm, mmr],
          actuals: { imm: 81, mmr: 292 },
          before: { score: 3.68, grade: 'Fair', escalations: ['fair-or-poor'] },
        },
      ],
    });
  });

  it('scores phased terms and escalations reading previous as a review does, from a state and from stored figures', () => {
    const classrooms: Indicator = {
      id: 'classrooms',
      name: 'Classrooms',
      direction: 'higher',
      baseline: 28,
      target: 40,
      weight: 50,
      measurement: 'cumulative',
      targets: { Q1: 5, Q2: 10, Q3: 12, Q4: 13 },
    };
    const absorption: Indicator = {
      id: 'absorption',
      name: 'Absorption',
      direction: 'higher',
      baseline: 60,
      target: 75,
      weight: 50,
      measurement: 'to-date',
    };
    const base = findBuiltInRuleSet('default', 1)!;
    const draft: RuleSet = {
      ...base,
      escalations: [
        ...base.escalations,
        {
          id: 'two-in-a-row',
          severity: 'medium',
          notify: ['managers'],
          message: 'Two quarters in a row below the target.',
          when: {
            and: [{ '>': [{ var: 'composite' }, 3] }, { '>': [{ var: 'previous.last.composite' }, 3] }],
          },
        },
      ],
    };
    const figures = [
      { classrooms: 4, absorption: 12 },
      { classrooms: 9, absorption: 30 },
      { classrooms: 13, absorption: 58 },
    ];
    const periods = figures.map((actuals, i): PeriodState => ({
      id: `Q${i + 1}`,
      start: '',
      end: '',
      due: '',
      revision: 1,
      requested: true,
      ladder: [],
      late: false,
      report: { actuals, submittedAt: '', late: false },
      moderations: [],
      superseded: [],
    }));
    const state = {
      id: 'PC-P',
      title: 'Phased',
      revisions: [{ number: 1, indicators: [classrooms, absorption] }],
      periods: [...periods, { ...periods[0]!, id: 'Q4', report: undefined }],
      years: [],
    } as unknown as ContractState;
    // What the workflow gives each review, the draft's own earlier reviews as `previous`.
    const expected = periods.map((period) => {
      const result = scorePeriod(
        draft,
        [classrooms, absorption],
        period.report!.actuals,
        period.id,
        periodContext(state, period),
      );
      period.review = { reviewedAt: '', revision: 1, ...result };
      return { score: result.score, grade: result.grade, escalations: result.escalations.map((e) => e.id) };
    });
    expect(expected.map((e) => e.escalations.includes('two-in-a-row'))).toContain(true);
    for (const contract of [
      simulationContract(state),
      decodeFigures(encodeFigures(simulationContract(state))),
    ]) {
      const after = simulate(draft, [contract]).contracts[0]!.periods.map((p) => p.after);
      expect(after).toEqual(expected);
    }
  });
});

describe('the annual evaluation simulated', () => {
  const year = (evaluated: boolean): SimulationContract => {
    const periods = [
      reviewed({ imm: 80, mmr: 300 }, 'Q1'),
      reviewed({ imm: 82, mmr: 295 }, 'Q2'),
      reviewed({ imm: 84, mmr: null }, 'Q3'),
      reviewed({ imm: 86, mmr: 285 }, 'Q4'),
    ];
    // What the year got when evaluated (here: as if mmr had been worse).
    const own = scorePeriod(defaults, [imm, mmr], { imm: 83, mmr: 310 }, 'year');
    return {
      id: evaluated ? 'PC-EVALUATED' : 'PC-OPEN',
      quarters: 4,
      periods,
      ...(evaluated ? { evaluation: { score: own.score!, grade: own.grade } } : {}),
    };
  };

  it("scores each complete year as the evaluation does (the quarters aggregated by the rule set) beside the year's own grade", () => {
    const incomplete: SimulationContract = {
      ...year(false),
      id: 'PC-HALF',
      periods: year(false).periods.slice(0, 2),
    };
    const { summary, contracts } = simulate(stricter(), [year(true), year(false), incomplete], {
      of: 'year',
    });
    // The default aggregates by the mean of the reported quarters: imm 83, mmr 880 / 3.
    expect(defaults.scoring.aggregation).toBe('mean');
    const expected = scorePeriod(stricter(), [imm, mmr], { imm: 83, mmr: 880 / 3 }, 'year');
    expect(contracts.map((c) => [c.id, c.periods.map((p) => p.period)])).toEqual([
      ['PC-EVALUATED', ['year']],
      ['PC-OPEN', ['year']],
    ]);
    expect(contracts[0]!.periods[0]!.after).toEqual({
      score: expected.score,
      grade: expected.grade,
      escalations: [],
    });
    expect(contracts[1]!.periods[0]!.change).toBe('new');
    expect([summary.contracts, summary.periods, summary.new]).toEqual([2, 2, 1]);
    // The evaluation rides in the stored figures, and the stored form (figures by position) scores the same.
    const stored = decodeFigures(encodeFigures(year(true)));
    expect(stored.evaluation).toEqual(year(true).evaluation);
    expect(simulate(stricter(), [stored], { of: 'year' }).contracts[0]!.periods[0]).toEqual(
      contracts[0]!.periods[0],
    );
    // Terms revised after the last quarter: the year is scored against the terms in force now.
    const revised = [{ ...imm, target: 90 }, mmr];
    const later = simulate(stricter(), [{ ...year(true), yearTerms: revised }], { of: 'year' });
    const againstRevised = scorePeriod(stricter(), revised, { imm: 83, mmr: 880 / 3 }, 'year');
    expect(later.contracts[0]!.periods[0]!.after?.score).toBe(againstRevised.score);
    expect(againstRevised.score).not.toBe(expected.score);
    const storedLater = decodeFigures(encodeFigures({ ...year(true), yearTerms: revised }));
    expect(storedLater.yearTerms).toEqual(revised);
  });

  it('gives each rule what the workflow gives it for the year: every field of the terms, no quarter fields', () => {
    const draft = stricter();
    // An indicator rule reading the measurement; a composite counting rows without a quarter target.
    draft.scoring.indicator = { if: [{ '==': [{ var: 'measurement' }, 'cumulative'] }, 1, 4] };
    draft.scoring.composite = {
      reduce: [
        { var: 'indicators' },
        { '+': [{ var: 'accumulator' }, { if: [{ '==': [{ var: 'current.periodTarget' }, null] }, 1, 0] }] },
        0,
      ],
    };
    const terms = [{ ...imm, measurement: 'cumulative' as const }, mmr];
    const contract = { ...year(false), yearTerms: terms };
    const simulated = simulate(draft, [contract], { of: 'year' }).contracts[0]!.periods[0]!.after;
    const workflow = scorePeriod(draft, terms, { imm: 83, mmr: 880 / 3 }, 'year');
    expect(workflow.indicators.map((i) => i.score)).toEqual([1, 4]);
    expect(simulated).toEqual({ score: workflow.score, grade: workflow.grade, escalations: [] });
    expect(workflow.score).toBe(2);
  });
});
