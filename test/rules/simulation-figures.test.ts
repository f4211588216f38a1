// The stored form of simulation figures, and a simulation split in shares: what the read model keeps
// and the threads compute must give what one simulation over the contracts gives.
import { describe, expect, it } from 'vitest';
import { generatePortfolio, builtIn, stricterBands } from '../../bench/fixtures/portfolio.js';
import type { Indicator } from '../../model/contract.js';
import { decodeFigures, encodeFigures } from '../../rules/simulation-figures.js';
import { simulate, simulatePart, summarize, type SimulationContract } from '../../rules/simulate.js';

const imm: Indicator = {
  id: 'imm',
  name: 'Immunised',
  direction: 'higher',
  baseline: 78,
  target: 85,
  weight: 40,
};
const mmr: Indicator = {
  id: 'mmr',
  name: 'Maternal deaths',
  direction: 'lower',
  baseline: 310,
  target: 280,
  weight: 60,
  criteria: { excellent: 1.2 },
};
const revised = [{ ...imm, target: 90 }, mmr];

const contract: SimulationContract = {
  id: 'PC-1',
  title: 'Health',
  periods: [
    {
      id: 'Q1',
      indicators: [imm, mmr],
      actuals: { imm: 81, mmr: null },
      before: { score: 3.68, grade: 'Fair', escalations: ['fair-or-poor'] },
    },
    { id: 'Q2', indicators: revised, actuals: { imm: 88, mmr: 270 } },
    { id: 'Q3', indicators: revised, actuals: {}, before: { score: 2, grade: 'Very Good', escalations: [] } },
  ],
};

/** A contract as plain data: a stored period's actuals are made when read. */
function plain(contract: SimulationContract): SimulationContract {
  return {
    ...contract,
    periods: contract.periods.map(({ id, indicators, actuals, before }) => ({
      id,
      indicators,
      actuals,
      ...(before ? { before } : {}),
    })),
  };
}

describe('simulation figures as stored', () => {
  it('come back as they went, each revision of the terms stored once', () => {
    const text = encodeFigures(contract);
    const stored = JSON.parse(text) as { terms: unknown[] };
    expect(stored.terms).toHaveLength(2);
    const back = decodeFigures(text);
    expect(plain(back)).toEqual({
      ...contract,
      periods: contract.periods.map((p) => (p.id === 'Q3' ? { ...p, actuals: { imm: null, mmr: null } } : p)),
    });
    expect(back.periods[0]!.values).toEqual([81, null]);
    expect(back.periods[1]!.indicators).toBe(back.periods[2]!.indicators);
  });

  it('are read in the form projected before they were compacted', () => {
    expect(decodeFigures(JSON.stringify(contract))).toEqual(contract);
  });

  it('name the contract of a form they do not know', () => {
    expect(() => decodeFigures('{"v":3,"id":"PC-9","terms":[],"periods":[]}')).toThrow(
      "Figures of 'PC-9' are in an unknown form v3",
    );
  });

  it('simulate as the contracts they were made from', () => {
    const portfolio = generatePortfolio(40);
    const draft = stricterBands(builtIn('default'));
    const direct = simulate(draft, portfolio);
    const decoded = simulate(
      draft,
      portfolio.map((c) => decodeFigures(encodeFigures(c))),
    );
    expect(decoded).toEqual(direct);
  });
});

describe('a simulation in shares', () => {
  const draft = stricterBands(builtIn('default'));
  const portfolio = generatePortfolio(90);
  const whole = simulate(draft, portfolio, { onlyChanged: true });

  it('adds up to the summary of the whole', () => {
    const parts = [portfolio.slice(0, 31), portfolio.slice(31, 60), portfolio.slice(60)].map((share) =>
      simulatePart(draft, share, { onlyChanged: true }),
    );
    // The counts cross threads as structured clones: prototypes are not kept.
    expect(summarize(parts.map((p) => structuredClone(p.counts)))).toEqual(whole.summary);
    expect(parts.flatMap((p) => p.contracts)).toEqual(whole.contracts);
    expect(whole.contracts.length).toBeGreaterThan(10);
  });

  it('keeps the first contracts asked for, and counts the rest', () => {
    const part = simulatePart(draft, portfolio, { onlyChanged: true, keep: 5 });
    expect(part.contracts).toEqual(whole.contracts.slice(0, 5));
    expect(part.shown).toBe(whole.contracts.length);
  });
});
