// A whole contract year on the time-skipping server: signing, four quarters with every ladder step,
// a late report, moderation, a mid-year revision, the evaluation and its sign-off, renewal into
// year 2 (continue-as-new), then termination. Months pass in seconds; everything else is real.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import { addDays, addMonths, formatDate } from '../../model/calendar.js';
import type { ContractState } from '../../model/state.js';
import {
  contractState,
  exampleContract,
  expectProjected,
  settledState,
  signContract,
  uniqueId,
} from '../support/contracts.js';
import { recordHistory } from '../support/histories.js';
import {
  api,
  approvalLink,
  decide,
  messages,
  waitFor,
  waitForEmail,
  fetchDocument,
} from '../support/stack.js';
import { startTimeSkippingStack, type TimeSkippingStack } from '../support/time-skipping.js';

const DAY = 86_400_000;
let env: TestWorkflowEnvironment;
let stack: Stack;
let running: TimeSkippingStack | undefined;

beforeAll(async () => {
  running = await startTimeSkippingStack();
  ({ env, stack } = running);
});

afterAll(async () => {
  await running?.stop();
});

/** Moves the server's clock to `instant` (ms), plus a minute. */
async function skipTo(instant: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (instant > now) await env.sleep(instant - now + 60_000);
}

const endOf = (date: string) => Date.parse(date) + DAY;

describe('a contract year', () => {
  it('runs from signing to renewal with every step, in seconds', async () => {
    const today = formatDate(await env.currentTimeMs());
    const start = addMonths(today.slice(0, 8) + '01', 1);
    const contract = exampleContract({
      id: uniqueId('PC-YEAR'),
      period: { start, end: addDays(addMonths(start, 12), -1), reporting: 'quarterly', reportDueDays: 15 },
      unit: {
        ...exampleContract().unit,
        contacts: [{ name: 'E. Njeri', email: 'reports@health.county.example' }],
      },
    });
    const id = contract.id;
    const subjects = async () =>
      (await messages(stack)).filter((m) => m.subject.startsWith(`${id}:`)).map((m) => m.subject);
    const mail = (subject: string) => waitForEmail(stack, (m) => m.subject === `${id}: ${subject}`, subject);
    const report = async (period: string, actuals: Record<string, number | null>) =>
      api<{ period: string; late: boolean }>(stack, 'POST', `/api/v1/contracts/${id}/reports`, {
        period,
        actuals,
      });
    const reviewed = (period: number, versions = 1) =>
      waitFor(
        async () => {
          const state = await contractState(stack, id);
          const p = state.periods[period]!;
          return p.review?.documentUrl && p.superseded.length === versions - 1 ? state : undefined;
        },
        `Q${period + 1} review v${versions}`,
      );
    const onTime = Object.fromEntries(contract.indicators.map((i) => [i.id, i.target]));

    const active = await signContract(stack, contract);
    // At each step below, the read model holds exactly what the workflow holds.
    await expectProjected(stack, id);
    const firstRunId = (await stack.client.workflow.getHandle(id).describe()).runId;
    expect(active.signing!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(active.decisions.filter((d) => d.kind === 'sign').map((d) => d.documentSha256)).toEqual([
      active.signing!.sha256,
      active.signing!.sha256,
    ]);
    const document = await fetchDocument(stack, active.signing!.url);
    expect(document.status).toBe(200);
    const [q1, q2, q3, q4] = active.periods;

    // Q1: reported on time, to the unit's reporting contact.
    await skipTo(endOf(q1!.end));
    const request = await mail('report requested for Q1');
    expect(request.to).toEqual(['reports@health.county.example']);
    expect((await report('Q1', { ...onTime, immunisation: 80 })).body).toEqual({ period: 'Q1', late: false });
    await reviewed(0);
    await expectProjected(stack, id);

    // Moderation: a manager corrects Q1's immunisation figure with a reason; the period is re-scored.
    const moderation = await api<{ score: number; grade: string }>(
      stack,
      'POST',
      `/api/v1/contracts/${id}/moderations`,
      {
        period: 'Q1',
        reviewVersion: 1,
        by: contract.managers[0],
        values: { immunisation: { actual: 85, reason: 'Register audit found 5 points of unrecorded doses' } },
      },
    );
    expect(moderation.status).toBe(200);
    const moderated = await reviewed(0, 2);
    await expectProjected(stack, id);
    expect(moderated.periods[0]!.moderations).toMatchObject([
      { indicator: 'immunisation', from: 80, to: 85, by: contract.managers[0] },
    ]);
    expect(moderated.periods[0]!.review!.indicators.find((i) => i.id === 'immunisation')!.score).toBe(3);
    // The second version of the review says who moderated what, from what to what, and why.
    const moderatedHtml = await (
      await fetchDocument(stack, moderated.periods[0]!.review!.documentUrl!)
    ).text();
    expect(moderatedHtml).toContain('Moderated figures');
    expect(moderatedHtml).toContain(
      `<td>Fully immunised children under 1</td><td>80</td><td>85</td><td>Register audit found 5 points of unrecorded doses</td><td>${contract.managers[0]!.name}</td>`,
    );
    expect(
      moderated.periods[0]!.superseded[0]!.indicators.find((i) => i.id === 'immunisation')!.score,
    ).toBeGreaterThan(3);

    // Q2: nobody reports; every ladder step fires in turn, then the report arrives late.
    await skipTo(endOf(q2!.end));
    await mail('report requested for Q2');
    await skipTo(endOf(q2!.due) - 7 * DAY);
    await mail(`reminder, the Q2 report is due on ${q2!.due}`);
    await skipTo(endOf(q2!.due));
    await mail(`the Q2 report is late (due ${q2!.due})`);
    const missing = await reviewed(1);
    await expectProjected(stack, id);
    expect(missing.periods[1]!.review).toMatchObject({ score: 5, grade: 'Poor' });
    await skipTo(endOf(q2!.due) + 7 * DAY);
    const toHead = await mail('escalation, the Q2 report is 7 days late');
    expect(toHead.to).toEqual([contract.unit.signatory.email]);
    expect((await contractState(stack, id)).late).toBe(false);
    await skipTo(endOf(q2!.due) + 14 * DAY);
    const toPrincipal = await mail('escalation, the Q2 report is 14 days late');
    expect(toPrincipal.to.sort()).toEqual(
      [contract.principal.signatory.email, ...contract.managers.map((m) => m.email)].sort(),
    );
    expect((await settledState(stack, id)).late).toBe(true);
    expect((await report('Q2', onTime)).body).toEqual({ period: 'Q2', late: true });
    const lateReviewed = await reviewed(1, 2);
    await expectProjected(stack, id);
    expect(lateReviewed.late).toBe(false);
    expect(lateReviewed.periods[1]!.review!.score).toBe(3);

    // Mid-year revision of targets, approved by both signatories through their links.
    const timid = await api(stack, 'POST', `/api/v1/contracts/${id}/mid-year-revisions`, {
      proposedBy: 'unit',
      targets: { immunisation: 70 },
      justification: 'Below the baseline of 78',
    });
    expect(timid.status).toBe(400);
    expect(timid.body).toMatchObject({ errors: [{ pointer: '/targets/immunisation' }] });
    const proposal = await api(stack, 'POST', `/api/v1/contracts/${id}/mid-year-revisions`, {
      proposedBy: 'unit',
      targets: { immunisation: 83, 'outpatient-wait': 75 },
      justification: 'A vaccine shortage in the region for two months',
    });
    expect(proposal).toEqual({ status: 201, body: { revision: 2 } });
    for (const who of [contract.principal.signatory.email, contract.unit.signatory.email]) {
      const ask = await waitForEmail(
        stack,
        (m) => m.subject === `${id}: please approve mid-year revision 2` && m.to.includes(who),
        who,
      );
      expect((await decide(approvalLink(ask), 'approve')).status).toBe(200);
    }
    const revised = await waitFor(async () => {
      const s = await contractState(stack, id);
      return s.revision === 2 ? s : undefined;
    }, 'revision 2 in force');
    expect(revised.periods.map((p) => p.revision)).toEqual([1, 1, 2, 2]);
    const diff = await api<{
      diff: { changed: { indicator: string; field: string; from: unknown; to: unknown }[] };
    }>(stack, 'GET', `/api/v1/contracts/${id}/revisions?from=1&to=2`);
    expect(diff.body.diff.changed).toEqual([
      { indicator: 'immunisation', field: 'target', from: 85, to: 83 },
      { indicator: 'outpatient-wait', field: 'target', from: 70, to: 75 },
    ]);

    // Q3 and Q4 on time; Q3 is scored against the revised target.
    await skipTo(endOf(q3!.end));
    await report('Q3', { ...onTime, immunisation: 83 });
    const q3Review = (await reviewed(2)).periods[2]!.review!;
    await expectProjected(stack, id);
    expect(q3Review.revision).toBe(2);
    expect(q3Review.indicators.find((i) => i.id === 'immunisation')!.score).toBe(3);
    await skipTo(endOf(q4!.end));
    await report('Q4', { ...onTime, immunisation: 90 });

    // The evaluation follows the last review; the principal signs it off by link.
    const evaluationEmail = await waitForEmail(
      stack,
      (m) => m.subject.startsWith(`${id}: annual evaluation, year 1`),
      'evaluation',
    );
    expect(evaluationEmail.text).toContain('Evaluation document');
    const signoff = await mail('please sign off the evaluation of year 1');
    expect(signoff.to).toEqual([contract.principal.signatory.email]);
    const evaluated = await contractState(stack, id);
    expect(evaluated.stage).toBe('evaluation');
    // Immunisation's year value: the mean of the agreed actuals 85 (moderated), 85, 83, 90.
    expect(evaluated.evaluation!.indicators.find((i) => i.id === 'immunisation')).toMatchObject({
      actual: 85.75,
      target: 83,
      aggregation: 'mean',
    });
    const firstRunHistory = await stack.client.workflow.getHandle(id, firstRunId).fetchHistory();
    expect((await decide(approvalLink(signoff), 'approve')).status).toBe(200);

    // Renewal: the same workflow id continues as new into year 2, in negotiation.
    const year2: ContractState = await waitFor(async () => {
      const s = await contractState(stack, id);
      return s.year === 2 && s.stage === 'negotiation' ? s : undefined;
    }, 'year 2');
    expect(year2.period.start).toBe(addDays(contract.period.end, 1));
    expect((await expectProjected(stack, id)).year).toBe(2);
    const renewedImmunisation = year2.revisions[0]!.indicators.find((i) => i.id === 'immunisation')!;
    expect(renewedImmunisation).toMatchObject({ baseline: 85.75, target: 90.04 }); // max(83, 85.75) x 1.05
    const renewedDeaths = year2.revisions[0]!.indicators.find((i) => i.id === 'maternal-deaths')!;
    expect(renewedDeaths).toMatchObject({ baseline: 280, target: 266 }); // min(280, 280) x 0.95
    const years = await api<{ years: { year: number; grade: string; signedOffAt?: string }[] }>(
      stack,
      'GET',
      `/api/v1/contracts/${id}/years`,
    );
    expect(years.body.years).toHaveLength(1);
    expect(years.body.years[0]).toMatchObject({ year: 1, grade: evaluated.evaluation!.grade });
    expect(years.body.years[0]!.signedOffAt).toBeDefined();
    // Renewed, it is still one contract in the list and on the list page, in its second year.
    const listed = await waitFor(async () => {
      const list = await api<{ contracts: { id: string; year: number }[] }>(
        stack,
        'GET',
        '/api/v1/contracts',
      );
      const rows = list.body.contracts.filter((c) => c.id === id);
      return rows.length === 1 && rows[0]!.year === 2 ? rows : undefined;
    }, 'the renewed contract listed once');
    expect(listed).toHaveLength(1);
    const listPage = await api<string>(stack, 'GET', '/');
    expect(listPage.body.split(`href="/contracts/${id}"`).length - 1).toBe(1);
    await mail('please agree to revision 1');

    // The history of the whole first year stays far below Temporal's limits.
    const events = firstRunHistory.events?.length ?? 0;
    expect(events).toBeLessThan(2000);
    console.log(`contract-year: ${events} events in year 1's history before the sign-off`);
    await recordHistory(stack.client, 'contract-year-1', id, firstRunId);
    // The same year on the code of the read model (projections, no search attributes).
    await recordHistory(stack.client, 'contract-year-read-model', id, firstRunId);
    // ... and on the code that writes the read model and review documents through local activities.
    await recordHistory(stack.client, 'contract-year-local-writes', id, firstRunId);

    // Termination, confirmed by the principal through a link, ends the workflow.
    const terminate = await api(stack, 'POST', `/api/v1/contracts/${id}/terminate`, {
      reason: 'Department merged into the new Health Authority',
    });
    expect(terminate.status).toBe(202);
    const confirm = await mail('please confirm the termination');
    expect(confirm.text).toContain('Department merged into the new Health Authority');
    await decide(approvalLink(confirm), 'approve');
    const ended = await waitFor(async () => {
      const s = await contractState(stack, id);
      return s.stage === 'terminated' ? s : undefined;
    }, 'terminated');
    expect(ended.terminated!.reason).toBe('Department merged into the new Health Authority');
    await mail('terminated');
    await recordHistory(stack.client, 'contract-year-2-terminated', id);
    const audit = await api<{ events: { event: string; by?: string }[] }>(
      stack,
      'GET',
      `/api/v1/contracts/${id}/audit`,
    );
    // API actions are recorded with the token that made them.
    expect(audit.body.events.find((e) => e.event === 'report-accepted')!.by).toMatch(/\(admin\)$/);
    expect(audit.body.events.find((e) => e.event === 'terminate-requested')!.by).toMatch(/\(admin\)$/);
    const kinds = new Set(audit.body.events.map((e) => e.event));
    for (const event of [
      'revision-proposed',
      'signed',
      'report-accepted',
      'moderated',
      'ladder:escalate-to-principal',
      'evaluated',
      'renewed',
      'terminated',
    ]) {
      expect(kinds).toContain(event);
    }
    expect((await subjects()).filter((s) => s.includes('please sign revision 1'))).toHaveLength(2);
  });
});
