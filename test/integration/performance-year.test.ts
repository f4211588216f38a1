// The performance contracting process in one contract, through the API on the time-skipping
// server: targets suggested from history (a less ambitious one justified), cumulative, to-date and
// level indicators with phased targets, reports drafted in part, completed with evidence and
// submitted, an action plan updated each quarter, an escalation requiring a corrective action
// (added late, after a step of the ladder), the evaluation, and a renewal whose targets come from
// the rule set's targets.suggest. Contracts on the old shape replay from test/histories.
import { describe, expect, it } from 'vitest';
import { addDays, addMonths, formatDate } from '../../model/calendar.js';
import type { ContractInput, Indicator } from '../../model/contract.js';
import type { ContractState } from '../../model/state.js';
import { contractState, exampleContract, signContract, uniqueId } from '../support/contracts.js';
import { recordHistory } from '../support/histories.js';
import { defaultDraft, publishRuleSet as publishRuleSetDraft } from '../support/rulesets.js';
import {
  adminToken,
  api,
  approvalLink,
  decide,
  waitFor,
  waitForEmail,
  fetchDocument,
} from '../support/stack.js';
import { useTimeSkippingStack } from '../support/time-skipping.js';

const DAY = 86_400_000;
const t = useTimeSkippingStack();

type Errors = { errors: { pointer: string; message: string }[] };

/** Last year's value improved by 10% (lower is better: less 10%), null without history. */
const SUGGEST = {
  if: [
    { '==': [{ var: 'lastActual' }, null] },
    null,
    {
      round: [
        { '*': [{ var: 'lastActual' }, { if: [{ '==': [{ var: 'direction' }, 'lower'] }, 0.9, 1.1] }] },
        2,
      ],
    },
  ],
};

async function publishRuleSet(id: string): Promise<void> {
  await publishRuleSetDraft(
    t.stack,
    defaultDraft(id, (draft) => {
      draft.targets = { suggest: SUGGEST };
      draft.escalations = [
        {
          id: 'fair-or-poor',
          when: { in: [{ var: 'grade' }, ['Fair', 'Poor']] },
          severity: 'high',
          notify: ['managers'],
          message: 'Graded Fair or Poor: the unit adds a corrective action.',
          corrective: { withinDays: 10 },
        },
      ];
    }),
  );
}

const owner = { name: 'J. Otieno', email: 'j.otieno@county.example' };
const indicators: Indicator[] = [
  {
    id: 'classrooms',
    name: 'Classrooms built',
    direction: 'higher',
    baseline: 28,
    target: 40,
    weight: 40,
    measurement: 'cumulative',
    targets: { Q1: 4, Q2: 8, Q3: 12, Q4: 16 },
    history: [22, 28],
  },
  {
    id: 'absorption',
    name: 'Development budget absorbed',
    unit: '%',
    direction: 'higher',
    baseline: 60,
    target: 75,
    weight: 30,
    measurement: 'to-date',
    phasing: 'linear',
    history: [55, 60],
  },
  {
    id: 'immunisation',
    name: 'Fully immunised children under 1',
    unit: '%',
    direction: 'higher',
    baseline: 78,
    target: 85,
    weight: 30,
    history: [74, 78],
    justification: 'Two vaccine stock-outs are expected while the national tender is re-run.',
  },
];

describe('a performance contract year', () => {
  it('goes from suggested targets to a renewal by targets.suggest, with every step of the process', async () => {
    const { env, stack, skipTo } = t;
    const ruleSetId = uniqueId('process').toLowerCase();
    await publishRuleSet(ruleSetId);
    const today = formatDate(await env.currentTimeMs());
    const start = addMonths(today.slice(0, 8) + '01', 1);
    const contract: ContractInput = exampleContract({
      id: uniqueId('PC-PROCESS'),
      category: 'County governments',
      period: { start, end: addDays(addMonths(start, 12), -1), reporting: 'quarterly', reportDueDays: 15 },
      indicators,
      ruleSet: { id: ruleSetId, version: 1 },
      actionPlan: [
        { id: 'build', title: 'Build classrooms', indicators: ['classrooms'], owner },
        { id: 'procure', title: 'Faster procurement', indicators: ['absorption'], owner },
        { id: 'outreach', title: 'Immunisation outreach', indicators: ['immunisation'], owner },
      ],
    });
    const id = contract.id;

    // Without the justification, the immunisation target (85 < 78 x 1.1 = 85.8) would fail vetting:
    // refused at creation, at the field that is missing.
    const unjustified = {
      ...contract,
      id: `${id}-U`,
      indicators: indicators.map(({ justification: _, ...i }) => i),
    };
    const refused = await api<{ errors: { pointer: string; message: string }[] }>(
      stack,
      'POST',
      '/api/v1/contracts',
      unjustified,
    );
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e) => [e.pointer, e.message.split(']')[0]])).toEqual([
      ['/indicators/2/justification', '[ambitious-targets'],
    ]);

    const active = await signContract(stack, contract);
    // The signed document shows the quarterly targets, each suggestion, the justification, the plan.
    const signed = await (await fetchDocument(stack, active.signing!.url)).text();
    expect(signed).toContain('Q1 4, Q2 8, Q3 12, Q4 16');
    expect(signed).toContain(
      `suggested 85.8 by targets.suggest of ${ruleSetId} v1; lower, because: Two vaccine`,
    );
    expect(signed).toContain('Immunisation outreach');
    const terms = active.revisions[0]!.indicators;
    expect(terms.map((i) => [i.id, i.suggestion!.target, i.suggestion!.rule])).toEqual([
      ['classrooms', 30.8, `targets.suggest of ${ruleSetId} v1`],
      ['absorption', 66, `targets.suggest of ${ruleSetId} v1`],
      ['immunisation', 85.8, `targets.suggest of ${ruleSetId} v1`],
    ]);
    const draft = (period: string, body: unknown) =>
      api<Errors>(stack, 'POST', `/api/v1/contracts/${id}/reports/${period}/draft`, body);
    const reviewed = (i: number) =>
      waitFor(
        async () => {
          const s = await contractState(stack, id);
          return s.periods[i]!.review?.documentUrl ? s : undefined;
        },
        `Q${i + 1} reviewed`,
      );

    // Q1: a partial draft, completed with evidence, submitted with the plan's progress. Poor.
    await skipTo(Date.parse(active.periods[0]!.end) + DAY);
    expect(
      (await draft('Q1', { figures: { classrooms: { actual: 1, quality: 'provisional' } } })).body,
    ).toEqual({
      period: 'Q1',
      missing: ['absorption', 'immunisation'],
    });
    const upload = await fetch(`${stack.urls.app}/api/v1/contracts/${id}/evidence?name=ifmis.csv`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${adminToken(stack)}` },
      body: 'quarter,absorbed\nQ1,9\n',
    });
    const { sha256 } = (await upload.json()) as { sha256: string };
    expect(
      (
        await draft('Q1', {
          figures: {
            absorption: { actual: 9, quality: 'verified', evidence: [{ sha256 }] },
            immunisation: { actual: 76, comment: 'Stock-out in February' },
          },
        })
      ).status,
    ).toBe(200);
    const q1 = await api(stack, 'POST', `/api/v1/contracts/${id}/reports/Q1/submit`, {
      plan: { build: { status: 'in-progress', note: 'Two sites cleared' } },
    });
    expect(q1.status).toBe(200);
    let state: ContractState = await waitFor(async () => {
      const s = await reviewed(0);
      return s.correctiveActions?.length ? s : undefined;
    }, 'Q1 corrective action');
    const q1Review = state.periods[0]!.review!;
    expect(q1Review.indicators.map((s) => s.periodTarget)).toEqual([4, 18.75, 85]);
    expect(q1Review.grade).toMatch(/Fair|Poor/);
    expect(state.periods[0]!.report!.notes!.absorption!.evidence![0]).toMatchObject({
      sha256,
      name: 'ifmis.csv',
    });
    const [action] = state.correctiveActions!;

    // The corrective action is added late, after the ladder's late notice, then closed.
    await skipTo(Date.parse(action!.addBy) + 2 * DAY);
    await waitForEmail(
      stack,
      (m) => m.subject === `${id}: corrective action ${action!.id} not added (due ${action!.addBy})`,
      'ladder',
    );
    const now = formatDate(await env.currentTimeMs());
    expect(
      (
        await api(stack, 'POST', `/api/v1/contracts/${id}/corrective-actions/${action!.id}`, {
          initiative: {
            id: 'recovery',
            title: 'Recovery plan',
            indicators: ['classrooms', 'absorption'],
            owner,
            due: addDays(now, 20),
          },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await api(stack, 'POST', `/api/v1/contracts/${id}/corrective-actions/${action!.id}/close`, {
          note: 'Contractor replaced',
        })
      ).status,
    ).toBe(200);

    // Q2 to Q4 on plan, each with the plan's progress; the year adds up and ends on target.
    const figures = [
      { classrooms: 9, absorption: 38, immunisation: 84 },
      { classrooms: 14, absorption: 57, immunisation: 86 },
      { classrooms: 20, absorption: 77, immunisation: 87 },
    ];
    for (const [k, actuals] of figures.entries()) {
      const period = `Q${k + 2}`;
      await skipTo(Date.parse(state.periods[k + 1]!.end) + DAY);
      const answer = await api(stack, 'POST', `/api/v1/contracts/${id}/reports`, {
        period,
        actuals,
        plan: { build: { note: `${period}: on schedule` }, outreach: { status: 'in-progress' } },
      });
      expect([period, answer.status]).toEqual([period, 200]);
      state = await reviewed(k + 1);
    }
    expect(state.actionPlan!.find((i) => i.id === 'build')!.progress).toHaveLength(4);
    expect(state.actionPlan!.find((i) => i.id === 'recovery')).toMatchObject({
      status: 'done',
      corrective: action!.id,
    });
    const signoff = await waitForEmail(
      stack,
      (m) => m.subject === `${id}: please sign off the evaluation of year 1`,
      'sign-off',
    );
    const evaluated = await contractState(stack, id);
    expect(evaluated.evaluation!.indicators.map((y) => [y.id, y.aggregation, y.actual])).toEqual([
      ['classrooms', 'sum', 44],
      ['absorption', 'last', 77],
      ['immunisation', 'mean', 83.25],
    ]);
    // The evaluation document draws the year: each indicator against its quarters' targets, the composite.
    const evaluationUrl = evaluated.evaluation!.documentUrl!;
    const evaluationHtml = await (await fetchDocument(stack, evaluationUrl)).text();
    expect(evaluationHtml).toContain('The year in charts');
    expect(evaluationHtml.match(/<svg /g)).toHaveLength(2);
    expect(evaluationHtml).toContain('Classrooms built');
    const firstRunId = (await stack.client.workflow.getHandle(id).describe()).runId;
    expect((await decide(approvalLink(signoff), 'approve')).status).toBe(200);

    // The renewal: targets from targets.suggest on this year's values, quarterly targets scaled.
    const year2 = await waitFor(async () => {
      const s = await contractState(stack, id);
      return s.year === 2 && s.stage === 'negotiation' ? s : undefined;
    }, 'year 2');
    const renewed = year2.revisions[0]!.indicators;
    expect(renewed.map((i) => [i.id, i.target, i.history])).toEqual([
      ['classrooms', 48.4, [22, 28, 44]],
      ['absorption', 84.7, [55, 60, 77]],
      ['immunisation', 91.58, [74, 78, 83.25]],
    ]);
    expect(renewed[0]!.targets).toEqual({ Q1: 4.84, Q2: 9.68, Q3: 14.52, Q4: 19.36 });
    expect(renewed[0]!.suggestion).toMatchObject({
      target: 48.4,
      rule: `targets.suggest of ${ruleSetId} v1`,
    });
    // The initiatives still open go on; the done ones stay with year 1.
    expect(year2.revisions[0]!.actionPlan!.map((i) => i.id)).toEqual(['build', 'procure', 'outreach']);
    await recordHistory(stack.client, 'performance-year', id, firstRunId);
  });
});
