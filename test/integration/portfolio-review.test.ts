// The portfolio review on the Temporal dev server, through its Schedule: contracts in three
// categories report two quarters; the Schedule is paused, resumed and triggered by hand; the review
// waits for the last contract to report, then publishes league tables (checked against ranks the
// test computes from the contracts' own reviews), repeat low grades, the portfolio document with
// its charts, and emails the office and each manager with their own contracts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import type { ContractInput } from '../../model/contract.js';
import type { LeagueTable } from '../../model/league.js';
import type { ContractState } from '../../model/state.js';
import type { PortfolioReviewRecord } from '../../store/portfolio.js';
import type { Summary } from '../../activities/portfolio.js';
import {
  POOR_ACTUALS,
  backdatedPeriod,
  contractState,
  exampleActuals,
  exampleContract,
  signContract,
  uniqueId,
} from '../support/contracts.js';
import { api, messages, startTestStack, waitFor, waitForEmail } from '../support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startTestStack({
    env: {
      COVENANT_CATEGORIES: 'Counties,Ministries,State corporations',
      COVENANT_OFFICE_EMAIL: 'office@performance.example',
      // A waiting review looks again every 1.2 s here (every 6 hours by default).
      COVENANT_PORTFOLIO_POLL_MINUTES: '0.02',
      COVENANT_TIME_ZONE: 'Africa/Nairobi',
    },
  });
});

afterAll(async () => {
  await stack?.stop();
});

const report = exampleActuals();
const poor = POOR_ACTUALS;
const DEFAULT_GRADES = ['Excellent', 'Very Good', 'Good', 'Fair', 'Poor'];

/** Competition ranks of one table, computed here from the contracts' own reviews. */
function ranks(
  scores: { contract: string; score: number }[],
  better: 'higher' | 'lower',
): Map<string, number> {
  const sign = better === 'lower' ? 1 : -1;
  return new Map(
    scores.map((e) => [e.contract, 1 + scores.filter((o) => sign * (o.score - e.score) < 0).length]),
  );
}

describe('the portfolio review', () => {
  it('runs from its Schedule, waits for the last review, and publishes league tables, a document and emails', async () => {
    const period = backdatedPeriod(7, 30);
    const year = Number(period.start.slice(0, 4));
    const tag = uniqueId('P');
    const m1 = { name: 'M. One', email: `m1-${tag.toLowerCase()}@county.example` };
    const m2 = { name: 'M. Two', email: `m2-${tag.toLowerCase()}@county.example` };
    // [category, name, rule set, Q1 actuals, Q2 actuals, manager]
    const plan: [
      string,
      string,
      'default' | 'percent',
      Record<string, number>,
      Record<string, number>,
      typeof m1,
    ][] = [
      ['Counties', 'A', 'default', { ...report, immunisation: 85 }, { ...report, immunisation: 80 }, m1],
      ['Counties', 'B', 'default', { ...report, immunisation: 80 }, { ...report, immunisation: 90 }, m1],
      ['Counties', 'C', 'default', poor, poor, m1],
      ['Ministries', 'D', 'default', { ...report, immunisation: 83 }, { ...report, immunisation: 84 }, m2],
      ['Ministries', 'E', 'default', { ...report, immunisation: 90 }, poor, m2],
      [
        'State corporations',
        'F',
        'percent',
        { ...report, immunisation: 88 },
        { ...report, immunisation: 79 },
        m2,
      ],
      [
        'State corporations',
        'G',
        'percent',
        { ...report, immunisation: 80 },
        { ...report, immunisation: 91 },
        m2,
      ],
    ];
    const ids: Record<string, string> = {};
    for (const [category, name, ruleSet, , , manager] of plan) {
      const contract: ContractInput = exampleContract({
        id: `${tag}-${name}`,
        title: `Contract ${name}`,
        category,
        period,
        managers: [manager],
        ruleSet: { id: ruleSet, version: 1 },
      });
      ids[name] = contract.id;
      await signContract(stack, contract);
    }
    for (const quarter of ['Q1', 'Q2'] as const) {
      for (const [, name, , q1, q2] of plan) {
        if (quarter === 'Q2' && name === 'G') continue; // G reports after the review has started
        const reported = await api(stack, 'POST', `/api/v1/contracts/${ids[name]}/reports`, {
          period: quarter,
          actuals: quarter === 'Q1' ? q1 : q2,
        });
        expect(reported.status, `${name} ${quarter}`).toBe(200);
      }
    }
    const reviewed = (name: string, count: number) =>
      waitFor(async () => {
        const s = await contractState(stack, ids[name]!);
        return s.periods.filter((p) => p.review).length >= count ? s : undefined;
      }, `${name} reviewed`);
    for (const [, name] of plan) await reviewed(name, name === 'G' ? 1 : 2);

    // The deployment's Schedule: 06:00 on the first day of each quarter, in the configured zone.
    const schedule = await api<{ paused: boolean; timeZone: string; nextRuns: string[]; note?: string }>(
      stack,
      'GET',
      '/api/v1/portfolio/schedule',
    );
    expect(schedule.status).toBe(200);
    expect(schedule.body.paused).toBe(false);
    expect(schedule.body.timeZone).toBe('Africa/Nairobi');
    for (const run of schedule.body.nextRuns) {
      const at = new Date(run);
      // 06:00 in Nairobi (UTC+3) is 03:00 UTC, on the 1st of January, April, July or October.
      expect([at.getUTCDate(), at.getUTCHours(), at.getUTCMonth() % 3]).toEqual([1, 3, 0]);
    }
    expect(
      (await api(stack, 'POST', '/api/v1/portfolio/schedule/pause', { note: 'audit week' })).status,
    ).toBe(200);
    const paused = await api<{ paused: boolean; note: string }>(stack, 'GET', '/api/v1/portfolio/schedule');
    expect([paused.body.paused, paused.body.note]).toEqual([true, 'audit week']);
    expect((await api(stack, 'POST', '/api/v1/portfolio/schedule/unpause', {})).status).toBe(200);
    // Bad input changes nothing: a note of the wrong type, a review of no quarter.
    const badPause = await api<{ errors: { pointer: string }[] }>(
      stack,
      'POST',
      '/api/v1/portfolio/schedule/pause',
      {
        note: 7,
      },
    );
    expect([badPause.status, badPause.body.errors[0]!.pointer]).toEqual([400, '/note']);
    expect((await api<{ paused: boolean }>(stack, 'GET', '/api/v1/portfolio/schedule')).body.paused).toBe(
      false,
    );
    const badReview = await api<{ errors: { pointer: string }[] }>(
      stack,
      'POST',
      '/api/v1/portfolio/reviews',
      {
        year,
        quarter: 'second',
      },
    );
    expect([badReview.status, badReview.body.errors[0]!.pointer]).toEqual([400, '/quarter']);

    // Triggered by hand: the quarter that ended last is Q2; G has not reported it, so it waits.
    expect((await api(stack, 'POST', '/api/v1/portfolio/schedule/trigger')).status).toBe(202);
    const started = await waitFor(async () => {
      const s = await api<{ running: string[]; recent: { workflowId: string }[] }>(
        stack,
        'GET',
        '/api/v1/portfolio/schedule',
      );
      return s.body.recent[0]?.workflowId;
    }, 'the triggered review');
    expect(started).toMatch(/^portfolio-review-/);
    const run = stack.client.workflow.getHandle(started);
    expect((await run.describe()).status.name).toBe('RUNNING');
    await new Promise((r) => setTimeout(r, 3_000)); // two looks at the progress
    expect((await api(stack, 'GET', `/api/v1/portfolio/reviews/${year}-Q2`)).status).toBe(404);

    expect(
      (await api(stack, 'POST', `/api/v1/contracts/${ids.G}/reports`, { period: 'Q2', actuals: plan[6]![4] }))
        .status,
    ).toBe(200);
    await reviewed('G', 2);
    const published = await waitFor(
      async () => {
        const r = await api<PortfolioReviewRecord>(stack, 'GET', `/api/v1/portfolio/reviews/${year}-Q2`);
        return r.status === 200 ? r.body : undefined;
      },
      'the Q2 portfolio review',
      30_000,
    );
    expect([published.version, published.complete]).toEqual([1, true]);
    const summary = published.summary as Summary;
    expect(summary.progress.due).toBeGreaterThanOrEqual(plan.length);
    expect(summary.progress.done).toBe(summary.progress.due);

    // The league tables, against ranks computed here from each contract's Q1 and Q2 reviews.
    const states: Record<string, ContractState> = {};
    for (const [, name] of plan) states[name] = await contractState(stack, ids[name]!);
    const score = (name: string, q: number) => states[name]!.periods[q]!.review!.score!;
    const grade = (name: string, q: number) => states[name]!.periods[q]!.review!.grade;
    const mine = summary.tables.filter((t) => t.entries.some((e) => e.contract.startsWith(tag)));
    expect(mine.map((t) => [t.category, t.ruleSet, t.better])).toEqual([
      ['Counties', 'default', 'lower'],
      ['Ministries', 'default', 'lower'],
      ['State corporations', 'percent', 'higher'],
    ]);
    for (const table of mine) {
      const names = plan.filter(([c]) => c === table.category).map(([, n]) => n);
      const now = ranks(
        names.map((n) => ({ contract: ids[n]!, score: score(n, 1) })),
        table.better,
      );
      const then = ranks(
        names.map((n) => ({ contract: ids[n]!, score: score(n, 0) })),
        table.better,
      );
      expect(
        Object.fromEntries(table.entries.map((e) => [e.contract, [e.rank, e.score, e.movement]])),
      ).toEqual(
        Object.fromEntries(
          names.map((n) => [
            ids[n]!,
            [now.get(ids[n]!), score(n, 1), then.get(ids[n]!)! - now.get(ids[n]!)!],
          ]),
        ),
      );
      expect(Object.values(table.grades).reduce((a, b) => a + b, 0)).toBe(names.length);
    }
    // In the two lowest grades in both quarters: computed here from the reviews' grades.
    const lowest = DEFAULT_GRADES.slice(-2);
    const repeats = plan
      .filter(([, n, rs]) => rs === 'default' && lowest.includes(grade(n, 0)) && lowest.includes(grade(n, 1)))
      .map(([, n]) => ids[n]);
    expect(repeats).toContain(ids.C);
    expect(
      summary.lowGradeRepeats
        .map((r) => r.contract)
        .filter((c) => c.startsWith(tag))
        .sort(),
    ).toEqual(repeats.sort());
    // Reported after the signing within 30 days: nobody late.
    expect(summary.late.filter((l) => l.id.startsWith(tag))).toEqual([]);

    // The document: every contract by name, the charts as SVG, no script.
    const document = await api<string>(stack, 'GET', published.document);
    expect(document.status).toBe(200);
    for (const [, name] of plan) expect(document.body).toContain(`Contract ${name}`);
    expect(document.body.match(/<svg/g)?.length).toBe(2);
    expect(document.body).not.toMatch(/<script/i);
    expect(document.body).toContain('a lower composite is better on this scale');

    // Listed among the reviews; the league route agrees with the review for the same quarter.
    const list = await api<{ items: { year: number; period: string; version: number }[] }>(
      stack,
      'GET',
      '/api/v1/portfolio/reviews',
    );
    expect(list.body.items).toContainEqual(expect.objectContaining({ year, period: 'Q2', version: 1 }));
    const league = await api<{ tables: LeagueTable[] }>(
      stack,
      'GET',
      `/api/v1/portfolio/league?year=${year}&quarter=Q2`,
    );
    expect(league.body.tables.filter((t) => t.entries.some((e) => e.contract.startsWith(tag)))).toEqual(mine);

    // Emails: the office gets the whole review; each manager the lines of their own contracts.
    const subject = `Portfolio review ${year} Q2`;
    const office = await waitForEmail(
      stack,
      (m) => m.subject === subject && m.to.some((t) => t.includes('office@performance.example')),
      'the office',
    );
    expect(office.text).toContain('/documents/_portfolio/');
    const toM1 = await waitForEmail(
      stack,
      (m) => m.subject === subject && m.to.some((t) => t.includes(m1.email)),
      'M. One',
    );
    const toM2 = await waitForEmail(
      stack,
      (m) => m.subject === subject && m.to.some((t) => t.includes(m2.email)),
      'M. Two',
    );
    for (const name of ['A', 'B', 'C']) expect(toM1.text).toContain(`Contract ${name} (${ids[name]})`);
    expect(toM1.text).not.toContain(`Contract D`);
    for (const name of ['D', 'E', 'F', 'G']) expect(toM2.text).toContain(`Contract ${name} (${ids[name]})`);
    // Each emailed once: the run's keys make a retried send the same message.
    const sent = (await messages(stack)).filter((m) => m.subject === subject);
    expect(sent.length).toBe(new Set(sent.map((m) => m.to.join())).size);

    // The emailed link opens the document without an API token.
    const link = /https?:\/\/\S+\/documents\/_portfolio\/\S+/.exec(office.text)![0];
    const opened = await fetch(link);
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain(`Contract A`);

    // Reviewed again by hand: version 2, the first one kept.
    const again = await api<{ workflowId: string }>(stack, 'POST', '/api/v1/portfolio/reviews', {
      year,
      quarter: 'Q2',
      cutoffDays: 0,
    });
    expect(again.status).toBe(202);
    const second = await waitFor(
      async () => {
        const r = await api<PortfolioReviewRecord>(stack, 'GET', `/api/v1/portfolio/reviews/${year}-Q2`);
        return r.body.version === 2 ? r.body : undefined;
      },
      'version 2',
      30_000,
    );
    expect(second.document).toMatch(/-v2\.html$/);
    expect((await api(stack, 'GET', `/api/v1/portfolio/reviews/${year}-Q2?version=1`)).status).toBe(200);
  });
});
