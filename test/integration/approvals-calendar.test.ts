// Approval links age and suspensions pause the calendar: on the time-skipping server, weeks pass
// in seconds while the emails, pages and API answers stay real.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import { addDays, addMonths, formatDate } from '../../model/calendar.js';
import { contractState, exampleContract, signContract, uniqueId } from '../support/contracts.js';
import { api, approvalLink, decide, messages, waitFor, waitForEmail } from '../support/stack.js';
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

describe('approval links over time', () => {
  it('reminds the approver before expiry, refuses the expired link, and sends a fresh one on request', async () => {
    const contract = exampleContract({ id: uniqueId('PC-EXPIRY') });
    const id = contract.id;
    expect((await api(stack, 'POST', '/api/v1/contracts', contract)).status).toBe(201);
    const first = await waitForEmail(
      stack,
      (m) => m.subject === `${id}: please agree to revision 1`,
      'request',
    );

    await env.sleep(11 * DAY + 60_000); // the default rule set reminds 3 days before a 14-day expiry
    const reminder = await waitForEmail(
      stack,
      (m) => m.subject === `${id}: reminder, please agree to revision 1`,
      'reminder',
    );
    expect(approvalLink(reminder)).toBe(approvalLink(first));

    await env.sleep(4 * DAY);
    const expired = await decide(approvalLink(first), 'approve');
    expect(expired.status).toBe(409);
    expect(expired.html).toContain('expired');
    expect((await contractState(stack, id)).stage).toBe('negotiation');

    const approvalId = (await contractState(stack, id)).pendingApprovals[0]!.id;
    const resend = await api<{ approvalId: string; expiresAt: string }>(
      stack,
      'POST',
      `/api/v1/contracts/${id}/approvals/${approvalId}/resend`,
    );
    expect(resend.status).toBe(202);
    const fresh = await waitFor(
      async () =>
        (await messages(stack)).find(
          (m) => m.subject === `${id}: please agree to revision 1` && approvalLink(m) !== approvalLink(first),
        ),
      'a fresh link',
    );
    const stale = await fetch(approvalLink(first));
    expect(stale.status).toBe(410);
    expect(await stale.text()).toContain('A newer link for this decision was sent');
    expect((await decide(approvalLink(fresh), 'approve')).status).toBe(200);
    await waitFor(
      async () => ((await contractState(stack, id)).stage === 'signing' ? true : undefined),
      'signing',
    );
  });
});

describe('suspension', () => {
  it('stops the calendar while suspended and moves what was ahead by the time it was paused', async () => {
    const today = formatDate(await env.currentTimeMs());
    const start = addMonths(today.slice(0, 8) + '01', -2);
    const contract = exampleContract({
      id: uniqueId('PC-SUSPEND'),
      period: { start, end: addDays(addMonths(start, 12), -1), reporting: 'quarterly', reportDueDays: 15 },
    });
    const id = contract.id;
    const active = await signContract(stack, contract);
    const q1 = active.periods[0]!;

    const request = await api(stack, 'POST', `/api/v1/contracts/${id}/suspend`, {
      reason: 'Audit of the department under way',
    });
    expect(request.status).toBe(202);
    const confirm = await waitForEmail(
      stack,
      (m) => m.subject === `${id}: please confirm the suspension`,
      'confirm',
    );
    expect(confirm.to).toEqual([contract.principal.signatory.email]);
    await decide(approvalLink(confirm), 'approve');
    await waitFor(
      async () => ((await contractState(stack, id)).stage === 'suspended' ? true : undefined),
      'suspended',
    );
    expect(
      (
        await api(stack, 'POST', `/api/v1/contracts/${id}/reports`, {
          period: 'Q1',
          actuals: { immunisation: 80 },
        })
      ).status,
    ).toBe(409);

    // Q1 ends and its due date passes while suspended: nothing is requested, nobody is chased.
    const pausedFrom = await env.currentTimeMs();
    await env.sleep(Date.parse(q1.due) + 2 * DAY - pausedFrom);
    const during = (await messages(stack)).filter(
      (m) => m.subject.startsWith(`${id}:`) && /report|late|escalation/.test(m.subject),
    );
    expect(during).toEqual([]);

    await api(stack, 'POST', `/api/v1/contracts/${id}/resume`, { reason: 'Audit closed' });
    const resume = await waitForEmail(
      stack,
      (m) => m.subject === `${id}: please confirm that the contract resumes`,
      'resume',
    );
    await decide(approvalLink(resume), 'approve');
    const resumed = await waitFor(async () => {
      const s = await contractState(stack, id);
      return s.stage === 'active' ? s : undefined;
    }, 'active again');
    const pausedDays = Math.ceil(((await env.currentTimeMs()) - pausedFrom) / DAY);
    expect(resumed.periods[0]!.due).toBe(addDays(q1.due, pausedDays));
    await waitForEmail(
      stack,
      (m) => m.subject === `${id}: report requested for Q1`,
      'Q1 request after resuming',
    );
    const log = resumed.log.map((l) => l.event);
    expect(log).toContain('resumed');
  });
});
