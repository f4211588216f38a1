// Mail is sent at least once and repeated only when it cannot be helped: with the relay down, then
// slower to answer than the old one-minute send timeout, each message arrives exactly once: the
// send activity heartbeats while the relay takes its time, so no second attempt starts meanwhile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import { contractState, exampleContract, uniqueId } from '../support/contracts.js';
import { freePort } from '../support/ports.js';
import { TestRelay } from '../support/relay.js';
import { api, startTestStack, waitFor } from '../support/stack.js';

let stack: Stack;
let relay: TestRelay;

beforeAll(async () => {
  relay = new TestRelay(await freePort());
  stack = await startTestStack({ env: { SMTP_URL: relay.url } });
});

afterAll(async () => {
  await stack?.stop();
  await relay?.stop();
});

describe('a relay down, then slow', () => {
  it('delivers each message once', { timeout: 180_000 }, async () => {
    const contract = exampleContract({ id: uniqueId('PC-SLOWRELAY') });
    expect((await api(stack, 'POST', '/api/v1/contracts', contract)).status).toBe(201);
    // Down: the first attempts fail to connect and are retried with backoff.
    await waitFor(async () => {
      const state = await contractState(stack, contract.id);
      return state.pendingApprovals.length === 1 ? true : undefined;
    }, 'the agreement asked for');
    await new Promise((r) => setTimeout(r, 3_000));
    expect(relay.arrivals).toEqual([]);

    // Up, and slow: it takes 65 s to acknowledge each message (longer than the old 60 s timeout).
    relay.delayMs = 65_000;
    await relay.start();
    const arrived = await waitFor(
      () => relay.arrivals.find((a) => a.subject === `${contract.id}: please agree to revision 1`),
      'the agreement request at the relay',
      30_000,
    );
    await waitFor(
      async () =>
        (await contractState(stack, contract.id)).log.some((l) => l.event === 'email:approval-agree')
          ? true
          : undefined,
      'the send acknowledged',
      120_000,
    );
    const waited = Date.now() - arrived.at;
    expect(waited).toBeGreaterThanOrEqual(64_000);
    expect(relay.copies().get(arrived.messageId)).toBe(1);
    const sends = (await contractState(stack, contract.id)).log.filter(
      (l) => l.event === 'email:approval-agree',
    );
    expect(sends).toHaveLength(1);
    console.log(`slow relay: acknowledged after ${waited} ms, ${relay.arrivals.length} arrival(s)`);
  });
});
