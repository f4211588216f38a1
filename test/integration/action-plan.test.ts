// The action plan end to end on the time-skipping server, through the API: a plan agreed with the
// terms, progress reported with the figures, each review reviewing the plan, an escalation that
// requires a corrective action (added late, after a step of the ladder, then closed with a note),
// and an escalation that reads `previous` (two quarters in a row).
import { describe, expect, it } from 'vitest';
import type { InitiativeInput } from '../../model/action-plan.js';
import { addDays, addMonths, formatDate } from '../../model/calendar.js';
import type { ContractState } from '../../model/state.js';
import { contractState, exampleContract, signContract, uniqueId } from '../support/contracts.js';
import { recordHistory } from '../support/histories.js';
import { defaultDraft, publishRuleSet as publishRuleSetDraft } from '../support/rulesets.js';
import { api, waitFor, waitForEmail, fetchDocument } from '../support/stack.js';
import { useTimeSkippingStack } from '../support/time-skipping.js';

const DAY = 86_400_000;
const t = useTimeSkippingStack();

type Errors = { errors: { pointer: string; message: string }[] };

/** The built-in default with a corrective action required on Fair or Poor, and two-in-a-row. */
async function publishRuleSet(id: string): Promise<void> {
  await publishRuleSetDraft(
    t.stack,
    defaultDraft(id, (draft) => {
      draft.escalations = [
        {
          id: 'fair-or-poor',
          when: { in: [{ var: 'grade' }, ['Fair', 'Poor']] },
          severity: 'high',
          notify: ['managers'],
          message: 'The period is graded Fair or Poor: the unit adds a corrective action.',
          corrective: { withinDays: 10 },
        },
        {
          id: 'two-in-a-row',
          when: {
            and: [
              { in: [{ var: 'grade' }, ['Fair', 'Poor']] },
              { in: [{ var: 'previous.last.grade' }, ['Fair', 'Poor']] },
            ],
          },
          severity: 'high',
          notify: ['principal'],
          message: 'Two quarters in a row graded Fair or Poor.',
        },
      ];
    }),
  );
}

describe('the action plan', () => {
  it('is agreed, updated, reviewed each period, and takes corrective actions an escalation asks for', async () => {
    const { env, stack, skipTo } = t;
    const ruleSetId = uniqueId('corrective').toLowerCase();
    await publishRuleSet(ruleSetId);
    const today = formatDate(await env.currentTimeMs());
    const start = addMonths(today.slice(0, 8) + '01', 1);
    const example = exampleContract();
    const [immunisation, deaths] = [example.indicators[0]!, example.indicators[1]!];
    const owner = { name: 'Dr. A. Wanjiru', email: 'a.wanjiru@health.county.example' };
    const actionPlan: InitiativeInput[] = [
      {
        id: 'outreach',
        title: 'Mobile immunisation outreach in the five remotest wards',
        indicators: ['immunisation'],
        owner,
        budget: 4_500_000,
        milestones: [{ id: 'teams', title: 'Two outreach teams hired', due: addDays(start, 45) }],
      },
      {
        id: 'referrals',
        title: 'Emergency obstetric referral system',
        indicators: ['maternal-deaths'],
        owner,
        milestones: [{ id: 'ambulances', title: 'Ambulances contracted', due: addDays(start, 60) }],
      },
    ];
    const contract = exampleContract({
      id: uniqueId('PC-PLAN'),
      period: { start, end: addDays(addMonths(start, 12), -1), reporting: 'quarterly', reportDueDays: 15 },
      indicators: [
        { ...immunisation, weight: 60 },
        { ...deaths, weight: 40 },
      ],
      ruleSet: { id: ruleSetId, version: 1 },
      actionPlan,
    });
    const id = contract.id;

    // A plan serving an indicator the terms do not have is refused, naming it.
    const wrong = await api<Errors>(stack, 'POST', '/api/v1/contracts', {
      ...contract,
      id: `${id}-x`,
      actionPlan: [{ ...actionPlan[0]!, indicators: ['immunization'] }],
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0]).toMatchObject({ pointer: '/actionPlan/0/indicators/0' });

    const active = await signContract(stack, contract);
    expect(active.actionPlan!.map((i) => [i.id, i.status, i.progress])).toEqual([
      ['outreach', 'planned', []],
      ['referrals', 'planned', []],
    ]);

    // Q1: poor figures, with progress on the outreach; the referrals' milestone is past due.
    await skipTo(Date.parse(active.periods[0]!.end) + DAY);
    const unknown = await api<Errors>(stack, 'POST', `/api/v1/contracts/${id}/reports/Q1/submit`, {
      actuals: { immunisation: 79, 'maternal-deaths': 305 },
      plan: { outreach: { status: 'in-progress' }, triage: { status: 'done' } },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0]!.pointer).toBe('/plan/triage');
    const q1 = await api(stack, 'POST', `/api/v1/contracts/${id}/reports/Q1/submit`, {
      actuals: { immunisation: 79, 'maternal-deaths': 305 },
      plan: {
        outreach: {
          status: 'in-progress',
          note: 'One team hired',
          milestones: { teams: addDays(start, 40) },
        },
      },
    });
    expect(q1.status).toBe(200);
    const reviewed = await waitFor(async () => {
      const s = await contractState(stack, id);
      return s.periods[0]!.review?.documentUrl && s.correctiveActions?.length ? s : undefined;
    }, 'Q1 reviewed');
    const review = reviewed.periods[0]!.review!;
    expect(review.grade).toMatch(/Fair|Poor/);
    expect(review.escalations.map((e) => e.id)).toEqual(['fair-or-poor']);
    expect(review.plan).toEqual({
      overdue: [
        {
          initiative: 'referrals',
          milestone: 'ambulances',
          title: 'Ambulances contracted',
          due: addDays(start, 60),
        },
      ],
      behind: [
        { initiative: 'outreach', title: actionPlan[0]!.title, indicators: ['immunisation'] },
        { initiative: 'referrals', title: actionPlan[1]!.title, indicators: ['maternal-deaths'] },
      ],
      uncovered: [],
      correctiveLate: [],
    });
    const outreach = reviewed.actionPlan!.find((i) => i.id === 'outreach')!;
    expect(outreach).toMatchObject({
      status: 'in-progress',
      milestones: [{ id: 'teams', doneOn: addDays(start, 40) }],
    });
    expect(outreach.progress).toMatchObject([
      { period: 'Q1', note: 'One team hired', status: 'in-progress' },
    ]);
    const document = await (await fetchDocument(stack, review.documentUrl!)).text();
    expect(document).toContain('Milestones overdue');
    expect(document).toContain('A corrective action is required within 10 days.');

    const [action] = reviewed.correctiveActions!;
    expect(action).toMatchObject({ id: 'Q1-fair-or-poor', status: 'requested', escalation: 'fair-or-poor' });
    const request = await waitForEmail(
      stack,
      (m) => m.subject === `${id}: corrective action required (Q1-fair-or-poor), add it by ${action!.addBy}`,
      'corrective action request',
    );
    expect(request.to).toContain(contract.unit.signatory.email);

    // Not added by its day: the ladder's late notice goes out.
    await skipTo(Date.parse(action!.addBy) + 2 * DAY);
    await waitForEmail(
      stack,
      (m) => m.subject === `${id}: corrective action Q1-fair-or-poor not added (due ${action!.addBy})`,
      'corrective ladder',
    );
    const laddered = await contractState(stack, id);
    expect(laddered.correctiveActions![0]!.ladder).toEqual(expect.arrayContaining(['add:late-notice']));

    // Added late, then closed: a note is required.
    const now = formatDate(await env.currentTimeMs());
    const added = await api<{ status: string; initiative: string }>(
      stack,
      'POST',
      `/api/v1/contracts/${id}/corrective-actions/Q1-fair-or-poor`,
      {
        initiative: {
          id: 'catch-up',
          title: 'Catch-up immunisation days in every ward',
          indicators: ['immunisation'],
          owner,
          due: addDays(now, 30),
        },
      },
    );
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ status: 'open', initiative: 'catch-up' });
    const again = await api(stack, 'POST', `/api/v1/contracts/${id}/corrective-actions/Q1-fair-or-poor`, {
      initiative: { id: 'other', title: 'Other', indicators: [], owner, due: addDays(now, 30) },
    });
    expect(again.status).toBe(409);
    const bare = await api<Errors>(
      stack,
      'POST',
      `/api/v1/contracts/${id}/corrective-actions/Q1-fair-or-poor/close`,
      {},
    );
    expect(bare.status).toBe(400);
    expect(bare.body.errors[0]!.pointer).toBe('/note');
    const closed = await api(
      stack,
      'POST',
      `/api/v1/contracts/${id}/corrective-actions/Q1-fair-or-poor/close`,
      {
        note: 'Catch-up days held in all 25 wards; 1,240 children reached',
      },
    );
    expect(closed.status).toBe(200);
    let state: ContractState = await contractState(stack, id);
    expect(state.correctiveActions![0]).toMatchObject({ status: 'closed', initiative: 'catch-up' });
    expect(state.actionPlan!.find((i) => i.id === 'catch-up')).toMatchObject({
      status: 'done',
      corrective: 'Q1-fair-or-poor',
    });
    expect(state.log.map((l) => l.event)).toEqual(
      expect.arrayContaining([
        'corrective-action-requested',
        'corrective-ladder:late-notice',
        'corrective-action-added',
        'corrective-action-closed',
        'action-plan-updated',
      ]),
    );

    // Progress outside a report, then Q2 poor again: two quarters in a row, seen through `previous`.
    const progress = await api(stack, 'POST', `/api/v1/contracts/${id}/action-plan`, {
      updates: { referrals: { status: 'blocked', note: 'Procurement appeal pending' } },
    });
    expect(progress).toEqual({ status: 200, body: { updated: ['referrals'] } });
    await skipTo(Date.parse(state.periods[1]!.end) + DAY);
    expect(
      (
        await api(stack, 'POST', `/api/v1/contracts/${id}/reports`, {
          period: 'Q2',
          actuals: { immunisation: 80, 'maternal-deaths': 300 },
        })
      ).status,
    ).toBe(200);
    state = await waitFor(async () => {
      const s = await contractState(stack, id);
      return s.periods[1]!.review?.documentUrl ? s : undefined;
    }, 'Q2 reviewed');
    expect(state.periods[1]!.review!.escalations.map((e) => e.id)).toEqual(['fair-or-poor', 'two-in-a-row']);
    expect(state.correctiveActions!.map((a) => [a.id, a.status])).toEqual([
      ['Q1-fair-or-poor', 'closed'],
      ['Q2-fair-or-poor', 'requested'],
    ]);
    await recordHistory(stack.client, 'action-plan-corrective', id);
  });
});
