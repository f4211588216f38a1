// A mail relay outage delays mail and loses none. With the SMTP catcher stopped, the workflow takes
// the decision and sending retries with backoff (5 s, then 10 s, ...); once a catcher listens again
// on the same port, with the same outbox, every message the contract's record says it sent has
// arrived, exactly once per Message-ID.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import type { ContractState } from '../../model/state.js';
import { exampleContract, settledState, uniqueId } from '../support/contracts.js';
import {
  api,
  approvalLink,
  decide,
  messages,
  startTestStack,
  waitFor,
  waitForEmail,
} from '../support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

describe('a mail relay outage', () => {
  it('delays the mail of a contract that moves on, and then delivers each message exactly once', async () => {
    const contract = exampleContract({ id: uniqueId('PC-OUTAGE') });
    const id = contract.id;
    const caught = async () => (await messages(stack)).filter((m) => m.subject.startsWith(`${id}:`));
    const relay = stack.mailCatcher!;

    // Down before the first message: the pool has never reached the relay.
    await relay.stop();
    expect((await api(stack, 'POST', '/api/v1/contracts', contract)).status).toBe(201);
    await sendingHasFailed(id);
    expect(await caught()).toEqual([]);
    await relay.start();
    const agree = await waitForEmail(
      stack,
      (m) => m.subject === `${id}: please agree to revision 1`,
      'the agreement request, after the relay is back',
    );

    // Down again, under the pool's open connections, while the contract moves on.
    await relay.stop();
    expect((await decide(approvalLink(agree), 'approve')).status).toBe(200);
    const decided = await api<ContractState>(stack, 'GET', `/api/v1/contracts/${id}`);
    expect(decided.body.decisions.map((d) => `${d.kind}:${d.decision}`)).toEqual(['agree:approve']);
    await sendingHasFailed(id);
    expect(await caught()).toHaveLength(1);
    await relay.start();

    await waitFor(
      async () =>
        (await caught()).filter((m) => m.subject === `${id}: please sign revision 1`).length === 2
          ? true
          : undefined,
      'both signing requests',
      30_000,
    );
    const state = await allSent(id);
    const recorded = state.log.filter((entry) => entry.event.startsWith('email:'));
    const arrived = await caught();
    expect(arrived).toHaveLength(recorded.length);
    const byMessageId = new Map<string, number>();
    for (const message of arrived)
      byMessageId.set(message.messageId, (byMessageId.get(message.messageId) ?? 0) + 1);
    expect([...byMessageId.values()].every((count) => count === 1)).toBe(true);
    expect(byMessageId.size).toBe(recorded.length);
    expect(state.stage).toBe('signing');
  });
});

/** Waits until a send of this contract has failed at least once and is waiting for its retry. */
async function sendingHasFailed(id: string): Promise<void> {
  await waitFor(async () => {
    const description = await stack.client.workflow.getHandle(id).describe();
    const pending = description.raw.pendingActivities ?? [];
    return pending.some((a) => (a.attempt ?? 0) >= 2 && a.lastFailure) ? true : undefined;
  }, `a failed send of ${id}`);
}

/** The state once no send is pending and nothing changes any more. */
async function allSent(id: string): Promise<ContractState> {
  await waitFor(
    async () => {
      const description = await stack.client.workflow.getHandle(id).describe();
      return (description.raw.pendingActivities ?? []).length === 0 ? true : undefined;
    },
    `every send of ${id}`,
    30_000,
  );
  return settledState(stack, id);
}
