// Simulations in the rule-runner threads: a portfolio split in shares, one per thread, each thread
// keeping the figures it decoded so that the next simulation reads only what changed. Real threads,
// figures in their stored form; the answers must be those of one simulation in this process.
import { afterAll, describe, expect, it } from 'vitest';
import { builtIn, generatePortfolio, stricterBands } from '../../bench/fixtures/portfolio.js';
import { validateRuleSetDocument } from '../../rules/ruleset-validation.js';
import { encodeFigures } from '../../rules/simulation-figures.js';
import { simulate, type SimulationContract } from '../../rules/simulate.js';
import { RuleRunner, type SimulatedPortfolio } from '../../server/rule-runner/index.js';

const draft = stricterBands(builtIn('default'));
// Two shares: a share has at least 2,000 contracts.
const contracts = generatePortfolio(4_400).sort((a, b) => (a.id < b.id ? -1 : 1));
const runner = new RuleRunner({ threads: 2 });
afterAll(() => runner.close());

/** The portfolio at the given versions, recording which figures the threads asked for. */
function portfolio(
  versions: Map<string, number>,
  stored: Map<string, SimulationContract> = new Map(contracts.map((c) => [c.id, c])),
  whole = true,
): SimulatedPortfolio & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    whole,
    contracts: [...versions],
    figures: (ids) => {
      asked.push(...ids);
      return Promise.resolve(ids.map((id) => [id, versions.get(id)!, encodeFigures(stored.get(id)!)]));
    },
  };
}

describe('simulations in threads', () => {
  const versions = new Map(contracts.map((c) => [c.id, 1]));

  it('answer as one simulation would, page by page, reading each figure once', async () => {
    const whole = simulate(draft, contracts, { onlyChanged: true });
    const first = portfolio(versions);
    const page = await runner.simulate(draft, first, { onlyChanged: true }, { offset: 0, limit: 50 }, '');
    expect(page.summary).toEqual(whole.summary);
    expect(page.contracts).toEqual(whole.contracts.slice(0, 50));
    expect(page.total).toBe(whole.contracts.length);
    expect(first.asked).toHaveLength(contracts.length);
    expect(page.validation).toEqual(validateRuleSetDocument(draft));

    // A page that starts in the first share and ends in the second.
    const offset = whole.contracts.findIndex((c) => c.id >= contracts[2_200]!.id) - 10;
    const again = portfolio(versions);
    const across = await runner.simulate(draft, again, { onlyChanged: true }, { offset, limit: 20 }, '');
    expect(across.contracts).toEqual(whole.contracts.slice(offset, offset + 20));
    expect(again.asked).toEqual([]);
  });

  it('reads again only the contracts projected since', async () => {
    const changed = contracts[3_000]!;
    const better: SimulationContract = {
      ...changed,
      periods: changed.periods.map((p) => ({
        ...p,
        actuals: Object.fromEntries(p.indicators.map((i) => [i.id, i.target])),
      })),
    };
    const stored = new Map(contracts.map((c) => [c.id, c === changed ? better : c]));
    const next = portfolio(new Map([...versions, [changed.id, 2]]), stored);
    const result = await runner.simulate(draft, next, {}, { offset: 0, limit: 1 }, '');
    expect(next.asked).toEqual([changed.id]);
    expect(result.summary).toEqual(simulate(draft, [...stored.values()]).summary);
  });

  it('reads named contracts without forgetting the rest of the portfolio', async () => {
    const named = portfolio(new Map([[contracts[5]!.id, 1]]), undefined, false);
    await runner.simulate(draft, named, {}, { offset: 0, limit: 10 }, '');
    expect(named.asked).toEqual([]);
    const all = portfolio(new Map([...versions, [contracts[3_000]!.id, 2]]));
    await runner.simulate(draft, all, {}, { offset: 0, limit: 10 }, '');
    expect(all.asked).toEqual([]);
  });

  it('warms up: the figures read beforehand, the next simulation reads none; no second warm-up within a minute', async () => {
    const fresh = new RuleRunner({ threads: 2 });
    try {
      const warming = portfolio(versions);
      await fresh.warm(() => Promise.resolve(warming));
      expect(warming.asked).toHaveLength(contracts.length);
      const again = portfolio(versions);
      await fresh.warm(() => Promise.resolve(again));
      expect(again.asked).toEqual([]);
      const after = portfolio(versions);
      const result = await fresh.simulate(draft, after, {}, { offset: 0, limit: 1 }, '');
      expect(after.asked).toEqual([]);
      expect(result.summary).toEqual(simulate(draft, contracts).summary);
    } finally {
      await fresh.close();
    }
  });

  it('names the rule of a draft that cannot run, under the pointer given', async () => {
    const broken = { ...draft, scoring: { ...draft.scoring, grade: { nope: [1] } } };
    await expect(
      runner.simulate(broken, portfolio(versions), {}, { offset: 0, limit: 10 }, '/draft'),
    ).rejects.toThrow(/^\/draft\/scoring\/grade/);
  });
});
