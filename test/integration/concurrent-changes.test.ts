// Two people changing the same thing at once: the second is told, not silently overwritten.
// A moderation names the review version it was made against; a proposal may name the revision it
// answers. Stale ones get 409 naming what is current.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import type { Issue } from '../../model/errors.js';
import {
  backdatedPeriod,
  contractState,
  exampleContract,
  settledState,
  signContract,
  uniqueId,
} from '../support/contracts.js';
import { recordHistory } from '../support/histories.js';
import { api, startTestStack, waitFor, waitForEmail } from '../support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

type Errors = { errors: Issue[] };

describe('concurrent changes', () => {
  it('accepts one of ten simultaneous moderations of a review and refuses the others with 409', async () => {
    const contract = exampleContract({
      id: uniqueId('PC-RACE'),
      period: backdatedPeriod(13),
    });
    const id = contract.id;
    await signContract(stack, contract);
    const actuals = Object.fromEntries(contract.indicators.map((i) => [i.id, i.target]));
    expect(
      (await api(stack, 'POST', `/api/v1/contracts/${id}/reports`, { period: 'Q1', actuals })).status,
    ).toBe(200);
    const reviewed = await waitFor(async () => {
      const review = (await contractState(stack, id)).periods[0]!.review;
      return review ? review : undefined;
    }, 'Q1 reviewed');
    expect(reviewed.version).toBe(1);

    const moderation = (i: number, reviewVersion: number) => ({
      period: 'Q1',
      reviewVersion,
      by: contract.managers[0],
      values: { immunisation: { actual: 70 + i, reason: `Moderator ${i} recounted the register` } },
    });
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api<Errors | { reviewVersion: number }>(
          stack,
          'POST',
          `/api/v1/contracts/${id}/moderations`,
          moderation(i, 1),
        ),
      ),
    );
    const accepted = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 409);
    expect([accepted.length, refused.length]).toEqual([1, 9]);
    expect(accepted[0]!.body).toMatchObject({ reviewVersion: 2 });
    for (const r of refused) {
      const [error] = (r.body as Errors).errors;
      expect(error!.pointer).toBe('/reviewVersion');
      expect(error!.message).toMatch(/version (is )?2/);
    }
    const state = await waitFor(async () => {
      const s = await contractState(stack, id);
      return s.periods[0]!.review!.version === 2 ? s : undefined;
    }, 'version 2 of the Q1 review');
    expect(state.periods[0]!.moderations).toHaveLength(1);

    // Made against version 1 after version 2 is out: refused, naming the current version.
    const stale = await api<Errors>(stack, 'POST', `/api/v1/contracts/${id}/moderations`, moderation(99, 1));
    expect(stale.status).toBe(409);
    expect(stale.body.errors[0]).toMatchObject({ pointer: '/reviewVersion' });
    expect(stale.body.errors[0]!.message).toContain('the current version is 2');
    const missing = await api<Errors>(stack, 'POST', `/api/v1/contracts/${id}/moderations`, {
      ...moderation(98, 2),
      reviewVersion: undefined,
    });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0]!.pointer).toBe('/reviewVersion');
    await settledState(stack, id);
    await recordHistory(stack.client, 'moderation-versions', id);
  });

  it('refuses a counter-proposal made against a revision that was superseded meanwhile', async () => {
    const contract = exampleContract({ id: uniqueId('PC-RACE-NEG') });
    const id = contract.id;
    expect((await api(stack, 'POST', '/api/v1/contracts', contract)).status).toBe(201);
    await waitForEmail(stack, (m) => m.subject === `${id}: please agree to revision 1`, 'agree');
    const proposal = (note: string) => ({
      proposedBy: 'unit',
      indicators: contract.indicators,
      note,
      basedOn: 1,
    });
    const [first, second] = await Promise.all([
      api(stack, 'POST', `/api/v1/contracts/${id}/revisions`, proposal('first')),
      api(stack, 'POST', `/api/v1/contracts/${id}/revisions`, proposal('second')),
    ]);
    expect([first.status, second.status].sort()).toEqual([201, 409]);
    const loser = (first.status === 409 ? first : second).body as Errors;
    expect(loser.errors[0]).toMatchObject({ pointer: '/basedOn' });
    expect(loser.errors[0]!.message).toContain('revision 2 was proposed since');
    expect((await contractState(stack, id)).revisions).toHaveLength(2);
  });
});
