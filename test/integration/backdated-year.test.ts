// Issue 3's acceptance in real time on the dev server: a contract whose year is already over is
// driven through four reports, four reviews, the evaluation, its sign-off and the renewal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import { addDays } from '../../model/calendar.js';
import type { ContractState } from '../../model/state.js';
import {
  backdatedPeriod,
  contractState,
  exampleContract,
  signContract,
  uniqueId,
} from '../support/contracts.js';
import { recordHistory } from '../support/histories.js';
import {
  api,
  approvalLink,
  decide,
  messages,
  startTestStack,
  waitFor,
  waitForEmail,
  fetchDocument,
} from '../support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

describe('a back-dated contract', () => {
  it('goes through its whole year and renews, with an email for each step', async () => {
    const contract = exampleContract({ id: uniqueId('PC-PAST'), period: backdatedPeriod(13) });
    const id = contract.id;
    await signContract(stack, contract);
    const firstRunId = (await stack.client.workflow.getHandle(id).describe()).runId;
    await waitForEmail(
      stack,
      (m) => m.subject === `${id}: reports requested for Q1, Q2, Q3, Q4`,
      'report request',
    );

    const quarters = [0.6, 0.8, 1.0, 1.1];
    for (const [i, share] of quarters.entries()) {
      const actuals = Object.fromEntries(
        contract.indicators.map((ind) => [
          ind.id,
          Math.round((ind.baseline + (ind.target - ind.baseline) * share) * 100) / 100,
        ]),
      );
      expect(
        (await api(stack, 'POST', `/api/v1/contracts/${id}/reports`, { period: `Q${i + 1}`, actuals }))
          .status,
      ).toBe(200);
    }
    const signoff = await waitForEmail(
      stack,
      (m) => m.subject === `${id}: please sign off the evaluation of year 1`,
      'sign-off',
    );
    const evaluated = await contractState(stack, id);
    expect(evaluated.stage).toBe('evaluation');
    expect(evaluated.periods.map((p) => p.review!.score)).toEqual([3.8, 3.4, 3, 2.82]); // 5 - 2 x share up to the target; beyond it, by each indicator's excellence band
    // Year values are the mean of the quarters: 0.875 of the way from baseline to target, which scores 3.25.
    expect(evaluated.evaluation).toMatchObject({ score: 3.25, grade: 'Good' });
    const document = await fetchDocument(stack, evaluated.evaluation!.documentUrl!);
    expect(await document.text()).toContain('Year score <strong>3.25</strong>');

    // A rejected sign-off leaves the year open (figures can still be moderated) with a fresh sign-off to give.
    expect((await decide(approvalLink(signoff), 'reject', 'Q1 evidence still under audit')).status).toBe(200);
    const again = await waitForEmail(
      stack,
      (m) =>
        m.subject === `${id}: please sign off the evaluation of year 1` &&
        approvalLink(m) !== approvalLink(signoff),
      'a fresh sign-off request',
    );
    expect((await contractState(stack, id)).stage).toBe('evaluation');
    expect((await decide(approvalLink(again), 'approve', 'Agreed at the moderation meeting')).status).toBe(
      200,
    );
    const renewed: ContractState = await waitFor(async () => {
      const s = await contractState(stack, id);
      return s.year === 2 ? s : undefined;
    }, 'year 2');
    expect(renewed).toMatchObject({
      stage: 'negotiation',
      revision: 1,
      period: { start: addDays(contract.period.end, 1) },
    });
    expect(renewed.years).toHaveLength(1);
    expect(renewed.years[0]!.reviews.map((r) => r.period)).toEqual(['Q1', 'Q2', 'Q3', 'Q4']);
    await waitForEmail(
      stack,
      (m) => m.subject === `${id}: please agree to revision 1` && m.date > signoff.date,
      'year 2 agreement',
    );

    const subjects = (await messages(stack))
      .filter((m) => m.subject.startsWith(`${id}:`))
      .map((m) => m.subject.slice(id.length + 2));
    // A year whose every change is projected into the read model, for the determinism guard.
    await recordHistory(stack.client, 'backdated-year-projected', id, firstRunId);
    for (const expected of [
      'please agree to revision 1',
      'please sign revision 1',
      'signed by both parties (revision 1)',
      'reports requested for Q1, Q2, Q3, Q4',
      'Q1 review, Fair (3.80)',
      'Q2 review, Good (3.40)',
      'Q3 review, Very Good (3.00)',
      'Q4 review, Very Good (2.82)',
      'annual evaluation, year 1: Good (3.25)',
      'please sign off the evaluation of year 1',
      'your decision was recorded (approve)',
    ]) {
      expect(subjects).toContain(expected);
    }
  });
});
