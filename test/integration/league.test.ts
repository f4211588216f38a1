// League tables through the API on a real stack: contracts in three categories (one of them on a
// higher-is-better rule set) report a quarter; the tables rank them as the test ranks their
// reviewed composites itself; categories are checked against the deployment's list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import type { ContractInput } from '../../model/contract.js';
import type { LeagueTable } from '../../model/league.js';
import {
  backdatedPeriod,
  contractState,
  exampleActuals,
  exampleContract,
  signContract,
  uniqueId,
} from '../support/contracts.js';
import { api, startTestStack, waitFor } from '../support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startTestStack({ env: { COVENANT_CATEGORIES: 'Counties,Ministries,State corporations' } });
});

afterAll(async () => {
  await stack?.stop();
});

type Errors = { errors: { pointer: string; message: string }[] };
const q1 = exampleActuals();

describe('league tables', () => {
  it('rank each category by its rule set, ties shared, checked against the reviews themselves', async () => {
    const period = backdatedPeriod(4);
    const year = Number(period.start.slice(0, 4));
    const tag = uniqueId('L');
    const plan: [string, string, 'default' | 'percent', number][] = [
      ['Counties', 'A', 'default', 85],
      ['Counties', 'B', 'default', 80],
      ['Counties', 'C', 'default', 85],
      ['Counties', 'D', 'default', 70],
      ['Ministries', 'E', 'default', 83],
      ['Ministries', 'F', 'default', 90],
      ['State corporations', 'G', 'percent', 80],
      ['State corporations', 'H', 'percent', 88],
    ];
    const ids: Record<string, string> = {};
    // Contracts name a category of the deployment, and must name one.
    const base = exampleContract({ id: `${tag}-X`, period });
    const wrong = await api<Errors>(stack, 'POST', '/api/v1/contracts', { ...base, category: 'Counties ' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0]).toMatchObject({ pointer: '/category' });
    expect(wrong.body.errors[0]!.message).toContain('one of Counties, Ministries, State corporations');
    expect((await api<Errors>(stack, 'POST', '/api/v1/contracts', base)).body.errors[0]!.message).toMatch(
      /^is required/,
    );

    for (const [category, name, ruleSet] of plan) {
      const contract: ContractInput = exampleContract({
        id: `${tag}-${name}`,
        title: `Contract ${name}`,
        category,
        period,
        ruleSet: { id: ruleSet, version: 1 },
      });
      ids[name] = contract.id;
      await signContract(stack, contract);
    }
    // All signed before any reports: once peers have figures, a target below their median would
    // need a justification (the ambitious-targets guard).
    for (const [, name, , immunisation] of plan) {
      const reported = await api(stack, 'POST', `/api/v1/contracts/${ids[name]}/reports`, {
        period: 'Q1',
        actuals: { ...q1, immunisation },
      });
      expect(reported.status).toBe(200);
    }
    const scores: Record<string, number> = {};
    for (const [, name] of plan) {
      const state = await waitFor(async () => {
        const s = await contractState(stack, ids[name]!);
        return s.periods[0]!.review ? s : undefined;
      }, `${name} reviewed`);
      scores[name] = state.periods[0]!.review!.score!;
    }

    const league = await api<{ tables: LeagueTable[] }>(
      stack,
      'GET',
      `/api/v1/portfolio/league?year=${year}&quarter=Q1`,
    );
    expect(league.status).toBe(200);
    const mine = league.body.tables.filter((t) => t.entries.some((e) => e.contract.startsWith(tag)));
    expect(mine.map((t) => [t.category, t.ruleSet, t.better])).toEqual([
      ['Counties', 'default', 'lower'],
      ['Ministries', 'default', 'lower'],
      ['State corporations', 'percent', 'higher'],
    ]);
    // The ranks, computed here from the reviews: competition ranking in the scale's direction.
    for (const table of mine) {
      const names = plan.filter(([c]) => c === table.category).map(([, n]) => n);
      const sign = table.better === 'lower' ? 1 : -1;
      const expected = names
        .map((n) => ({ contract: ids[n]!, score: scores[n]! }))
        .sort((a, b) => sign * (a.score - b.score) || a.contract.localeCompare(b.contract))
        .map((e, _, all) => ({ ...e, rank: 1 + all.filter((o) => sign * (o.score - e.score) < 0).length }));
      expect(table.entries.map((e) => ({ contract: e.contract, score: e.score, rank: e.rank }))).toEqual(
        expected,
      );
    }
    const counties = mine[0]!;
    // A and C reported the same figures: they share a rank.
    const a = counties.entries.find((e) => e.contract === ids.A)!;
    const c = counties.entries.find((e) => e.contract === ids.C)!;
    expect(a.rank).toBe(c.rank);
    expect(Object.values(counties.grades).reduce((x, y) => x + y, 0)).toBe(4);

    const ministries = await api<{ tables: LeagueTable[] }>(
      stack,
      'GET',
      `/api/v1/portfolio/league?year=${year}&quarter=Q1&category=Ministries`,
    );
    expect(ministries.body.tables.map((t) => t.category)).toEqual(['Ministries']);
    const bad = await api<Errors>(stack, 'GET', `/api/v1/portfolio/league?year=${year}&quarter=first`);
    expect(bad.status).toBe(400);
    expect(
      (await api<Errors>(stack, 'GET', '/api/v1/portfolio/league?quarter=Q1')).body.errors[0]!.pointer,
    ).toBe('/year');
    // Without year and quarter: the quarter of the latest review, this one.
    const latest = await api<{ year: number; quarter: string }>(stack, 'GET', '/api/v1/portfolio/league');
    expect([latest.status, latest.body.year, latest.body.quarter]).toEqual([200, year, 'Q1']);
  });
});
