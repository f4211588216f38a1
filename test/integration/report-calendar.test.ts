// Reminders and due dates on durable timers, on the time-skipping test server: weeks pass in seconds.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import { addDays, addMonths, formatDate } from '../../model/calendar.js';
import { contractState, exampleContract, signContract, uniqueId } from '../support/contracts.js';
import { adminToken, messages, waitFor } from '../support/stack.js';
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

describe('the reporting calendar', () => {
  it('reminds before the due date, reviews a missing report at the due date, and asks for the next quarter when it ends', async () => {
    // The contract started four months ago: Q1 is over, Q2 is running.
    const today = formatDate(await env.currentTimeMs());
    const start = addMonths(today.slice(0, 8) + '01', -4);
    const contract = exampleContract({
      id: uniqueId('PC-CAL'),
      period: { start, end: addDays(addMonths(start, 12), -1), reporting: 'quarterly', reportDueDays: 15 },
    });
    const active = await signContract(stack, contract);
    const q1 = active.periods[0]!;
    const q2 = active.periods[1]!;
    const signedOn = active.signedAt!.slice(0, 10);
    expect(q1.due).toBe(addDays(signedOn, 15));
    await waitFor(
      async () =>
        (await messages(stack)).find((m) => m.subject === `${contract.id}: report requested for Q1`),
      'Q1 request',
    );
    const subjects = async () =>
      (await messages(stack)).filter((m) => m.subject.startsWith(contract.id)).map((m) => m.subject);

    await env.sleep(7 * DAY);
    expect(subjects()).not.toContain(`${contract.id}: reminder, the Q1 report is due on ${q1.due}`);
    await env.sleep(2 * DAY);
    await waitFor(
      async () =>
        (await messages(stack)).find(
          (m) => m.subject === `${contract.id}: reminder, the Q1 report is due on ${q1.due}`,
        ),
      'reminder',
    );

    await env.sleep(8 * DAY);
    const reviewed = await waitFor(async () => {
      const state = await contractState(stack, contract.id);
      return state.periods[0]!.review?.documentUrl ? state : undefined;
    }, 'Q1 reviewed at its due date');
    const review = reviewed.periods[0]!.review!;
    expect(reviewed.periods[0]!.report).toBeUndefined();
    expect(review.missing).toEqual(contract.indicators.map((i) => i.id));
    expect(review.indicators.every((i) => i.score === 5 && i.actual === null)).toBe(true);
    expect(review).toMatchObject({ score: 5, grade: 'Poor' });
    await waitFor(
      async () =>
        (await messages(stack)).find(
          (m) => m.subject === `${contract.id}: escalation (high), Q1 graded Poor`,
        ),
      'escalation',
    );

    // A late report is still accepted: it stops the ladder and replaces the review.
    const late = await fetch(`${stack.urls.api}/contracts/${contract.id}/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken(stack)}` },
      // The others are explained: a figure left out of a submission needs a reason.
      body: JSON.stringify({
        period: 'Q1',
        actuals: { immunisation: 85 },
        figures: Object.fromEntries(
          contract.indicators
            .filter((i) => i.id !== 'immunisation')
            .map((i) => [i.id, { explanation: 'Not collected this quarter' }]),
        ),
      }),
    });
    expect(late.status).toBe(200);
    expect(await late.json()).toEqual({ period: 'Q1', late: true });
    const rereviewed = await waitFor(async () => {
      const state = await contractState(stack, contract.id);
      return state.periods[0]!.superseded.length === 1 && state.periods[0]!.review?.documentUrl
        ? state
        : undefined;
    }, 'Q1 reviewed again');
    expect(rereviewed.periods[0]!.review!.indicators.find((i) => i.id === 'immunisation')!.score).toBe(3);
    expect(rereviewed.periods[0]!.superseded[0]!.score).toBe(5);

    const untilQ2Ends = Date.parse(q2.end) + DAY - (await env.currentTimeMs()) + 60_000;
    await env.sleep(untilQ2Ends);
    await waitFor(
      async () =>
        (await messages(stack)).find((m) => m.subject === `${contract.id}: report requested for Q2`),
      'Q2 request',
    );
    expect((await contractState(stack, contract.id)).periods[1]!.due).toBe(addDays(q2.end, 15));
  });
});
