// The portfolio review over a whole contract-year on the time-skipping server (which has no
// Schedules: reviews are started through the API, as an admin re-running a quarter would): a late
// reporter waited for and listed with its days late, an open corrective action past its day, and
// after the last quarter the annual league table from the evaluations, ranked as the test ranks
// the evaluations' scores itself.
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../activities/portfolio.js';
import { addDays, addMonths, formatDate } from '../../model/calendar.js';
import type { LeagueTable } from '../../model/league.js';
import type { ContractState } from '../../model/state.js';
import type { PortfolioReviewRecord } from '../../store/portfolio.js';
import type { PortfolioReviewOutcome } from '../../workflows/messages.js';
import {
  POOR_ACTUALS,
  contractState,
  exampleActuals,
  exampleContract,
  signContract,
  uniqueId,
} from '../support/contracts.js';
import { recordHistory } from '../support/histories.js';
import { defaultDraft, publishRuleSet } from '../support/rulesets.js';
import { api, waitFor, waitForEmail } from '../support/stack.js';
import { useTimeSkippingStack } from '../support/time-skipping.js';

const DAY = 86_400_000;
const t = useTimeSkippingStack({
  COVENANT_CATEGORIES: 'Counties,Ministries',
  COVENANT_OFFICE_EMAIL: 'office@performance.example',
});

const good = exampleActuals();
const poor = POOR_ACTUALS;

describe('the portfolio review over a year', () => {
  it('waits for a late reporter, lists it and the open corrective actions, then publishes the annual league table', async () => {
    const { env, stack, skipTo } = t;
    const ruleSetId = uniqueId('portfolio').toLowerCase();
    await publishRuleSet(
      stack,
      defaultDraft(ruleSetId, (draft) => {
        draft.escalations = [
          {
            id: 'fair-or-poor',
            when: { in: [{ var: 'grade' }, ['Fair', 'Poor']] },
            severity: 'high',
            notify: ['managers'],
            message: 'Graded Fair or Poor: the unit adds a corrective action.',
            corrective: { withinDays: 10 },
          },
        ];
      }),
    );
    const today = formatDate(await env.currentTimeMs());
    const start = addMonths(today.slice(0, 8) + '01', 1);
    const year = Number(start.slice(0, 4));
    const tag = uniqueId('PY');
    // [category, name, Q1 figures]: C reports poorly, D late.
    const plan: [string, string, Record<string, number>][] = [
      ['Counties', 'A', { ...good, immunisation: 86 }],
      ['Counties', 'B', { ...good, immunisation: 80 }],
      ['Ministries', 'C', poor],
      ['Ministries', 'D', { ...good, immunisation: 84 }],
    ];
    const ids: Record<string, string> = {};
    let signed: ContractState | undefined;
    for (const [category, name] of plan) {
      const contract = exampleContract({
        id: `${tag}-${name}`,
        title: `Contract ${name}`,
        category,
        period: { start, end: addDays(addMonths(start, 12), -1), reporting: 'quarterly', reportDueDays: 15 },
        ruleSet: { id: ruleSetId, version: 1 },
      });
      ids[name] = contract.id;
      signed = await signContract(stack, contract);
    }
    const periods = signed!.periods;
    const reviewed = (name: string, count: number) =>
      waitFor(async () => {
        const s = await contractState(stack, ids[name]!);
        return s.periods.filter((p) => p.review).length >= count ? s : undefined;
      }, `${name} reviewed ${count}`);
    const submit = async (name: string, period: string, actuals: Record<string, number>) => {
      const r = await api(stack, 'POST', `/api/v1/contracts/${ids[name]}/reports`, { period, actuals });
      expect(r.status, `${name} ${period}`).toBe(200);
    };

    // Q1: three report on time; the review starts, and waits for D.
    await skipTo(Date.parse(periods[0]!.end) + DAY);
    for (const [, name, figures] of plan.slice(0, 3)) await submit(name, 'Q1', figures);
    for (const name of ['A', 'B', 'C']) await reviewed(name, 1);
    const started = await api<{ workflowId: string }>(stack, 'POST', '/api/v1/portfolio/reviews', {
      year,
      quarter: 'Q1',
    });
    expect(started.status).toBe(202);
    const due = periods[0]!.due;
    await skipTo(Date.parse(due) - DAY);
    expect((await api(stack, 'GET', `/api/v1/portfolio/reviews/${year}-Q1`)).status).toBe(404);
    // At its due day D's quarter is reviewed without figures (scored as missing): nothing is left
    // to wait for, and the review names D as late.
    await skipTo(Date.parse(due) + DAY);
    const missing = await reviewed('D', 1);
    expect(missing.periods[0]!.report).toBeUndefined();
    await skipTo((await env.currentTimeMs()) + 7 * 3_600_000); // the review's next look
    const q1 = await waitFor(async () => {
      const r = await api<PortfolioReviewRecord>(stack, 'GET', `/api/v1/portfolio/reviews/${year}-Q1`);
      return r.status === 200 ? r.body : undefined;
    }, 'the Q1 portfolio review');
    const summary = q1.summary as Summary;
    expect([q1.complete, summary.progress]).toEqual([true, { due: 4, done: 4 }]);
    // D's days late, computed here from the day the review was published and D's due day.
    expect(summary.late).toEqual([
      expect.objectContaining({
        id: ids.D,
        due,
        reportedAt: null,
        daysLate: Math.round((Date.parse(summary.asOf.slice(0, 10)) - Date.parse(due)) / DAY),
      }),
    ]);
    expect(summary.late[0]!.daysLate).toBeGreaterThanOrEqual(1);
    // D reports late: reviewed again with its figures.
    await submit('D', 'Q1', plan[3]![2]);
    await reviewed('D', 1);
    // Corrective actions asked for (Fair or Poor) and not added, from each contract's own state:
    // C's since its review, past its day by now; D's since its quarter was scored without figures.
    const expected = [];
    for (const [, name] of plan) {
      for (const action of (await contractState(stack, ids[name]!)).correctiveActions ?? []) {
        expected.push({
          contract: ids[name],
          id: action.id,
          status: action.status,
          by: action.addBy,
          overdue: action.addBy < summary.asOf.slice(0, 10),
        });
      }
    }
    expect(expected.map((e) => e.contract)).toEqual(expect.arrayContaining([ids.C, ids.D]));
    expect(
      summary.corrective.map(({ contract, id, status, by, overdue }) => ({
        contract,
        id,
        status,
        by,
        overdue,
      })),
    ).toEqual(expected);
    expect(summary.corrective.find((a) => a.contract === ids.C)!.overdue).toBe(true);
    expect(summary.corrective.find((a) => a.contract === ids.D)!.overdue).toBe(false);
    const document = await api<string>(stack, 'GET', q1.document);
    expect(document.body).toContain('Late reporters');
    expect(document.body).toContain('not reported');
    expect(document.body).toContain('overdue');

    // The rest of the year: everyone reports on time; evaluations follow the last review.
    for (const [i, quarter] of ['Q2', 'Q3', 'Q4'].entries()) {
      await skipTo(Date.parse(periods[i + 1]!.end) + DAY);
      for (const [, name] of plan) await submit(name, quarter, name === 'C' ? poor : good);
      for (const [, name] of plan) await reviewed(name, i + 2);
    }
    const evaluated: Record<string, ContractState> = {};
    for (const [, name] of plan) {
      evaluated[name] = await waitFor(async () => {
        const s = await contractState(stack, ids[name]!);
        return s.evaluation ? s : undefined;
      }, `${name} evaluated`);
    }

    // Q4, the year's last quarter: its review, then the annual league table.
    const q4 = await api<{ workflowId: string }>(stack, 'POST', '/api/v1/portfolio/reviews', {
      year,
      quarter: 'Q4',
    });
    expect(q4.status).toBe(202);
    const annual = await waitFor(async () => {
      const r = await api<PortfolioReviewRecord>(stack, 'GET', `/api/v1/portfolio/reviews/${year}-year`);
      return r.status === 200 ? r.body : undefined;
    }, 'the annual league table');
    const tables = (annual.summary as Summary).tables;
    expect(tables.map((table) => table.category)).toEqual(['Counties', 'Ministries']);
    for (const table of tables) {
      const names = plan.filter(([category]) => category === table.category).map(([, n]) => n);
      // Ranked here from the evaluations: a lower composite is better on the default scale.
      const expected = names
        .map((n) => ({
          contract: ids[n]!,
          score: evaluated[n]!.evaluation!.score!,
          grade: evaluated[n]!.evaluation!.grade,
        }))
        .sort((a, b) => a.score - b.score || a.contract.localeCompare(b.contract));
      expect(table.better).toBe('lower');
      expect(table.entries.map((e) => ({ contract: e.contract, score: e.score, grade: e.grade }))).toEqual(
        expected,
      );
    }
    const league = await api<{ annual: boolean; tables: LeagueTable[] }>(
      stack,
      'GET',
      `/api/v1/portfolio/league?year=${year}`,
    );
    expect(league.body.annual).toBe(true);
    expect(league.body.tables).toEqual(tables);
    const email = await waitForEmail(
      stack,
      (m) => m.subject === `Annual league table ${year}`,
      'annual email',
    );
    expect(email.text).toContain('/documents/_portfolio/');
    const list = await api<{ items: { period: string }[] }>(stack, 'GET', '/api/v1/portfolio/reviews');
    expect(list.body.items.map((i) => i.period)).toEqual(['year', 'Q4', 'Q1']);
    const outcome = (await stack.client.workflow
      .getHandle(q4.body.workflowId)
      .result()) as PortfolioReviewOutcome;
    expect(outcome).toMatchObject({
      quarter: { year, period: 'Q4', version: 1, complete: true },
      annual: { year, version: 1, complete: true },
    });
    await recordHistory(stack.client, 'portfolio-review-year', q4.body.workflowId);
  });
});
