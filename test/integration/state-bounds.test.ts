// A contract filled to every limit (finding 5 of the attack: five large revisions bricked a
// contract past Temporal's 2 MB payload limit): the largest terms a contract may have, in a script
// of three bytes a character, proposed round after round, moderated until the record is full. Its
// state stays bounded, and it still answers, decides, reports, evaluates and renews.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import { jsonBytes } from '../../model/bytes.js';
import { addDays, addMonths, formatDate } from '../../model/calendar.js';
import { MAX_INDICATORS, MAX_TERMS_BYTES, type Indicator } from '../../model/contract.js';
import type { ContractState } from '../../model/state.js';
import { STATE_BUDGET, STATE_LIMIT } from '../../workflows/contract/bounds.js';
import { contractState, exampleContract, uniqueId } from '../support/contracts.js';
import { api, approvalLink, decide, waitFor, waitForEmail } from '../support/stack.js';
import { startTimeSkippingStack, type TimeSkippingStack } from '../support/time-skipping.js';

const DAY = 86_400_000;
/** Ethiopic: three bytes a character in UTF-8. */
const WIDE = 'ሀ';
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

/** The largest terms the API takes: 100 indicators, wide names and descriptions, just under 200 KB. */
function largestTerms(round: number): Indicator[] {
  const make = (descriptionChars: number): Indicator[] =>
    Array.from({ length: MAX_INDICATORS }, (_, i) => ({
      id: `kpi-${i}`,
      name: `${round} ${WIDE.repeat(150)}`,
      unit: WIDE.repeat(10),
      direction: 'higher',
      baseline: 10,
      target: 20 + round,
      weight: 1,
      category: WIDE.repeat(30),
      description: WIDE.repeat(descriptionChars),
    }));
  let chars = 1000;
  while (jsonBytes(make(chars)) > MAX_TERMS_BYTES) chars -= 10;
  return make(chars);
}

describe('a contract filled to every limit', () => {
  it('stays bounded and still decides, reports, evaluates and renews', { timeout: 300_000 }, async () => {
    const sizes: number[] = [];
    const state = async (): Promise<ContractState> => {
      const response = await api<ContractState>(stack, 'GET', `/api/v1/contracts/${id}`);
      expect(response.status).toBe(200);
      sizes.push(jsonBytes(response.body));
      return response.body;
    };
    const today = formatDate(await env.currentTimeMs());
    const start = addMonths(today.slice(0, 8) + '01', 1);
    const contract = exampleContract({
      id: uniqueId('PC-FULL'),
      title: WIDE.repeat(300),
      notes: WIDE.repeat(5000),
      objectives: Array.from({ length: 20 }, () => WIDE.repeat(500)),
      period: { start, end: addDays(addMonths(start, 12), -1), reporting: 'quarterly', reportDueDays: 15 },
      indicators: largestTerms(0),
    });
    const id = contract.id;
    const created = await api(stack, 'POST', '/api/v1/contracts', contract);
    expect(created.status, JSON.stringify(created.body)).toBe(201);

    // Round after round of the largest terms, from both sides.
    for (let round = 1; round <= 8; round++) {
      const proposal = await api(stack, 'POST', `/api/v1/contracts/${id}/revisions`, {
        proposedBy: round % 2 ? 'unit' : 'principal',
        indicators: largestTerms(round),
        note: WIDE.repeat(2000),
      });
      expect([round, proposal.status]).toEqual([round, 201]);
      await waitFor(
        async () => ((await state()).revision === round + 1 ? true : undefined),
        `revision ${round + 1}`,
      );
    }
    const negotiated = await state();
    expect(negotiated.revisions).toHaveLength(9);
    // The terms on the table are held whole; past the budget, older rounds keep who, when and what
    // became of them (the workflow history keeps their terms).
    expect(negotiated.revisions[8]!.indicators).toHaveLength(MAX_INDICATORS);
    expect(negotiated.revisions.filter((r) => r.compacted).length).toBeGreaterThanOrEqual(5);
    expect(negotiated.revisions[0]!.compacted).toEqual({ indicators: MAX_INDICATORS });
    expect(jsonBytes(negotiated)).toBeLessThan(STATE_BUDGET + MAX_TERMS_BYTES);

    // Agreement and both signatures, by link.
    const agree = await waitForEmail(
      stack,
      (m) => m.subject === `${id}: please agree to revision 9`,
      'agree',
    );
    expect((await decide(approvalLink(agree), 'approve')).status).toBe(200);
    for (const who of [contract.principal.signatory.email, contract.unit.signatory.email]) {
      const sign = await waitForEmail(
        stack,
        (m) => m.subject === `${id}: please sign revision 9` && m.to.includes(who),
        `sign ${who}`,
      );
      expect((await decide(approvalLink(sign), 'approve')).status).toBe(200);
    }
    const active = await waitFor(async () => {
      const s = await state();
      return s.stage === 'active' ? s : undefined;
    }, 'active');

    // Q1 reported, then moderated with the widest reasons until the record is full.
    const terms = active.revisions[8]!.indicators;
    const actuals = Object.fromEntries(terms.map((i) => [i.id, i.target]));
    const skipTo = async (instant: number) => {
      const now = await env.currentTimeMs();
      if (instant > now) await env.sleep(instant - now + 60_000);
    };
    const [q1, q2, q3, q4] = active.periods;
    await skipTo(Date.parse(q1!.end) + DAY);
    expect(
      (await api(stack, 'POST', `/api/v1/contracts/${id}/reports`, { period: 'Q1', actuals })).status,
    ).toBe(200);
    let refusedAt = 0;
    for (let version = 1; version <= 20; version++) {
      await waitFor(
        async () => ((await state()).periods[0]!.review?.version === version ? true : undefined),
        `Q1 v${version}`,
      );
      const moderation = await api<{ errors: { message: string }[] }>(
        stack,
        'POST',
        `/api/v1/contracts/${id}/moderations`,
        {
          period: 'Q1',
          reviewVersion: version,
          by: contract.managers[0],
          values: Object.fromEntries(
            terms.map((i) => [i.id, { actual: i.target - (version % 3), reason: WIDE.repeat(500) }]),
          ),
        },
      );
      if (moderation.status === 409) {
        expect(moderation.body.errors[0]!.message).toContain("This contract's record is full");
        refusedAt = version;
        break;
      }
      expect([version, moderation.status]).toEqual([version, 200]);
    }
    expect(refusedAt).toBeGreaterThan(1);

    // Still reports, reviews, evaluates, signs off and renews.
    for (const [i, period] of [q2!, q3!, q4!].entries()) {
      await skipTo(Date.parse(period.end) + DAY);
      const answer = await api(stack, 'POST', `/api/v1/contracts/${id}/reports`, {
        period: period.id,
        actuals,
      });
      expect([period.id, answer.status]).toEqual([period.id, 200]);
      await waitFor(
        async () => ((await state()).periods[i + 1]!.review ? true : undefined),
        `${period.id} review`,
      );
    }
    const signoff = await waitForEmail(
      stack,
      (m) => m.subject === `${id}: please sign off the evaluation of year 1`,
      'sign-off request',
    );
    expect((await decide(approvalLink(signoff), 'approve')).status).toBe(200);
    const renewed = await waitFor(
      async () => {
        const s = await contractState(stack, id);
        return s.year === 2 ? s : undefined;
      },
      'year 2',
      60_000,
    );
    expect(renewed.stage).toBe('negotiation');
    expect(renewed.years).toHaveLength(1);
    await state();
    const largest = Math.max(...sizes);
    console.log(
      `a contract filled to every limit: state at most ${Math.round(largest / 1000)} KB over ${sizes.length} reads; moderations refused at version ${refusedAt}`,
    );
    expect(largest).toBeLessThan(STATE_LIMIT + 300_000);
    expect(largest).toBeLessThan(1_600_000);
  });
});
