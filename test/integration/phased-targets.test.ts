// Phased targets end to end on the time-skipping server, through the API: a contract with a
// cumulative indicator phased by explicit quarterly targets, a to-date one phased linearly and a
// level one; each quarter scored against its own target, the year value by measurement, the
// renewal scaling the quarterly targets; terms whose quarters do not make the year are refused.
import { describe, expect, it } from 'vitest';
import { addDays, addMonths, formatDate } from '../../model/calendar.js';
import type { ContractInput, Indicator } from '../../model/contract.js';
import type { ContractState } from '../../model/state.js';
import {
  contractState,
  exampleContract,
  expectProjected,
  signContract,
  uniqueId,
} from '../support/contracts.js';
import { recordHistory } from '../support/histories.js';
import { api, approvalLink, decide, waitFor, waitForEmail, fetchDocument } from '../support/stack.js';
import { useTimeSkippingStack } from '../support/time-skipping.js';

const DAY = 86_400_000;
const t = useTimeSkippingStack();

const classrooms: Indicator = {
  id: 'classrooms',
  name: 'Classrooms built',
  direction: 'higher',
  baseline: 28,
  target: 40,
  weight: 40,
  category: 'Infrastructure',
  measurement: 'cumulative',
  targets: { Q1: 4, Q2: 8, Q3: 12, Q4: 16 },
};
const absorption: Indicator = {
  id: 'absorption',
  name: 'Development budget absorbed',
  unit: '%',
  direction: 'higher',
  baseline: 60,
  target: 75,
  weight: 30,
  category: 'Financial stewardship',
  measurement: 'to-date',
  phasing: 'linear',
};
const immunisation: Indicator = {
  id: 'immunisation',
  name: 'Fully immunised children under 1',
  unit: '%',
  direction: 'higher',
  baseline: 78,
  target: 85,
  weight: 30,
};

describe('phased targets', () => {
  it('refuses quarterly targets that do not make the annual target, naming the field, and starts nothing', async () => {
    const { stack } = t;
    const contract = exampleContract({
      id: uniqueId('PC-PHASE-BAD'),
      indicators: [
        { ...classrooms, targets: { Q1: 4, Q2: 8, Q3: 12, Q4: 10 } },
        { ...absorption, phasing: { Q5: 1 } },
        immunisation,
      ],
    });
    const created = await api<{ errors: { pointer: string; message: string }[] }>(
      stack,
      'POST',
      '/api/v1/contracts',
      contract,
    );
    expect(created.status).toBe(400);
    expect(created.body.errors).toEqual([
      {
        pointer: '/indicators/0/targets',
        message: 'the quarterly targets make a year value of 34 (their sum), not the annual target 40',
      },
      {
        pointer: '/indicators/1/phasing/Q5',
        message: "'Q5' is not a quarter of this contract; it has Q1, Q2, Q3, Q4",
      },
      { pointer: '/indicators/1/phasing', message: 'give at least one quarter a weight above 0' },
    ]);
    expect((await api(stack, 'GET', `/api/v1/contracts/${contract.id}`)).status).toBe(404);
    const shape = await api<{ errors: { pointer: string }[] }>(stack, 'POST', '/api/v1/contracts', {
      ...contract,
      indicators: [
        { ...classrooms, measurement: 'monthly', targets: { first: 4 } },
        absorption,
        immunisation,
      ],
    });
    expect(shape.status).toBe(400);
    expect(shape.body.errors.map((i) => i.pointer)).toEqual(
      expect.arrayContaining(['/indicators/0/measurement', '/indicators/0/targets/first']),
    );
  });

  it('scores each quarter against its own target, the year by measurement, and renews the phasing', async () => {
    const { env, stack, skipTo } = t;
    const today = formatDate(await env.currentTimeMs());
    const start = addMonths(today.slice(0, 8) + '01', 1);
    const contract: ContractInput = exampleContract({
      id: uniqueId('PC-PHASE'),
      period: { start, end: addDays(addMonths(start, 12), -1), reporting: 'quarterly', reportDueDays: 15 },
      indicators: [classrooms, absorption, immunisation],
    });
    const id = contract.id;
    const active = await signContract(stack, contract);
    const firstRunId = (await stack.client.workflow.getHandle(id).describe()).runId;

    // A slow start on the classrooms, on plan by its own quarterly targets; absorption behind in Q1.
    const figures = [
      { classrooms: 5, absorption: 12, immunisation: 80 },
      { classrooms: 8, absorption: 38, immunisation: 84 },
      { classrooms: 13, absorption: 55, immunisation: 86 },
      { classrooms: 16, absorption: 78, immunisation: 85 },
    ];
    const reviews: ContractState['periods'][number]['review'][] = [];
    for (const [i, actuals] of figures.entries()) {
      await skipTo(Date.parse(active.periods[i]!.end) + DAY);
      const posted = await api(stack, 'POST', `/api/v1/contracts/${id}/reports`, {
        period: `Q${i + 1}`,
        actuals,
      });
      expect(posted.status).toBe(200);
      const state = await waitFor(
        async () => {
          const s = await contractState(stack, id);
          return s.periods[i]!.review?.documentUrl ? s : undefined;
        },
        `Q${i + 1} reviewed`,
      );
      reviews.push(state.periods[i]!.review);
    }
    const byId = (i: number, indicator: string) => reviews[i]!.indicators.find((s) => s.id === indicator)!;
    expect(reviews.map((_, i) => byId(i, 'classrooms').periodTarget)).toEqual([4, 8, 12, 16]);
    expect(reviews.map((_, i) => byId(i, 'classrooms').actualToDate)).toEqual([5, 13, 26, 42]);
    expect(reviews.map((_, i) => byId(i, 'absorption').periodTarget)).toEqual([18.75, 37.5, 56.25, 75]);
    expect(reviews.map((_, i) => byId(i, 'immunisation').periodTarget)).toEqual([85, 85, 85, 85]);
    // 5 classrooms against Q1's 4 beats its target; against the year's 40 it would score 5.00.
    expect(byId(0, 'classrooms').score).toBeLessThan(3);
    // 12% absorbed against 18.75% to date, below the phased baseline of 15%: the worst score.
    expect(byId(0, 'absorption').score).toBe(5);
    expect(byId(1, 'absorption').score).toBeLessThan(3);

    // The review document shows the quarter's target beside the year's.
    const document = await fetchDocument(stack, reviews[1]!.documentUrl!);
    const html = await document.text();
    expect(html).toContain('8 <span class="meta">this quarter (year 40)</span>');
    expect(html).toContain('(13 to date)');

    // The year: classrooms add up (42), absorption is its last figure (78), immunisation the mean.
    const signoff = await waitForEmail(
      stack,
      (m) => m.subject === `${id}: please sign off the evaluation of year 1`,
      'evaluation sign-off request',
    );
    const evaluated = await contractState(stack, id);
    expect(evaluated.evaluation!.indicators.map((y) => [y.id, y.aggregation, y.actual])).toEqual([
      ['classrooms', 'sum', 42],
      ['absorption', 'last', 78],
      ['immunisation', 'mean', 83.75],
    ]);
    expect(evaluated.evaluation!.indicators.slice(0, 2).every((y) => y.score! < 3)).toBe(true);
    await expectProjected(stack, id);
    const firstRunHistory = await stack.client.workflow.getHandle(id, firstRunId).fetchHistory();
    expect((await decide(approvalLink(signoff), 'approve')).status).toBe(200);

    // Renewal: next year's classrooms target is max(40, 42) x 1.05 = 44.1, its quarters scaled alike.
    const year2 = await waitFor(async () => {
      const s = await contractState(stack, id);
      return s.year === 2 && s.stage === 'negotiation' ? s : undefined;
    }, 'year 2');
    const renewed = year2.revisions[0]!.indicators.find((i) => i.id === 'classrooms')!;
    expect(renewed).toMatchObject({ baseline: 42, target: 44.1, measurement: 'cumulative' });
    expect(renewed.targets).toEqual({ Q1: 4.41, Q2: 8.82, Q3: 13.23, Q4: 17.64 });
    expect(firstRunHistory.events!.length).toBeLessThan(2000);
    await recordHistory(stack.client, 'phased-year', id, firstRunId);
  });
});
