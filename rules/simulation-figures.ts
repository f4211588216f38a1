// What a what-if simulation needs of a contract, in the form the read model stores it: the terms of
// each revision once (not once per period, as SimulationContract repeats them) and each period's
// actuals as an array in the terms' order. A simulation reads a whole portfolio of these at a time
// (50,000 contracts x 30 indicators x 4 quarters: 634 MB as SimulationContract JSON, 177 MB so).
import { sameJson } from '../model/json.js';
import type { Indicator } from '../model/contract.js';
import type { Outcome, SimulationContract, SimulationPeriod } from './simulate.js';

/** [period id, index of its terms, actuals in the terms' order, outcome as reviewed or null] */
type PeriodRow = [string, number, (number | null)[], StoredOutcome | null];
/** [composite, grade, ids of the escalations that fired] */
type StoredOutcome = [number, string, string[]];

interface StoredFigures {
  /** The form's version: 2 (1 was the SimulationContract itself, still read). */
  v: 2;
  id: string;
  title?: string;
  /** The quarters of the contract's year (SimulationContract.quarters). */
  q?: number;
  terms: Indicator[][];
  periods: PeriodRow[];
  /** The year's evaluation [composite, grade], when scored (SimulationContract.evaluation). */
  e?: [number, string];
  /** Index in `terms` of the terms in force now (SimulationContract.yearTerms). */
  yt?: number;
}

/** The stored form of a contract's figures, as JSON text. */
export function encodeFigures(contract: SimulationContract): string {
  const terms: (readonly Indicator[])[] = [];
  const periods: PeriodRow[] = contract.periods.map((period) => {
    let index = terms.indexOf(period.indicators);
    if (index < 0) index = terms.push(period.indicators) - 1;
    const { actuals, before } = period;
    return [
      period.id,
      index,
      period.indicators.map((i) => (Object.hasOwn(actuals, i.id) ? (actuals[i.id] ?? null) : null)),
      before ? [before.score, before.grade, [...before.escalations]] : null,
    ];
  });
  // The terms in force now are usually the last quarter's: stored once either way.
  let yearTerms: number | undefined;
  if (contract.yearTerms) {
    const found = terms.findIndex((t) => t === contract.yearTerms || sameJson(t, contract.yearTerms!));
    yearTerms = found >= 0 ? found : terms.push(contract.yearTerms) - 1;
  }
  const stored = {
    v: 2,
    id: contract.id,
    ...(contract.title === undefined ? {} : { title: contract.title }),
    ...(contract.quarters === undefined ? {} : { q: contract.quarters }),
    terms,
    periods,
    ...(contract.evaluation ? { e: [contract.evaluation.score, contract.evaluation.grade] } : {}),
    ...(yearTerms === undefined ? {} : { yt: yearTerms }),
  };
  return JSON.stringify(stored);
}

/**
 * A contract's figures from their stored JSON text, in either form: periods of one revision share
 * one indicators array. Text that is neither form is an error naming the contract if it can.
 */
export function decodeFigures(text: string): SimulationContract {
  const stored = JSON.parse(text) as StoredFigures | SimulationContract;
  if (!('v' in stored)) return stored;
  if (stored.v !== 2)
    throw new Error(`Figures of '${stored.id}' are in an unknown form v${String(stored.v)}`);
  const periods = stored.periods.map(
    ([id, index, values, before]) => new StoredPeriod(id, stored.terms[index] ?? [], values, before),
  );
  return {
    id: stored.id,
    ...(stored.title === undefined ? {} : { title: stored.title }),
    ...(stored.q === undefined ? {} : { quarters: stored.q }),
    periods,
    ...(stored.e ? { evaluation: { score: stored.e[0], grade: stored.e[1] } } : {}),
    ...(stored.yt !== undefined && stored.terms[stored.yt] ? { yearTerms: stored.terms[stored.yt] } : {}),
  };
}

/** A period as stored: the scorer reads its values by position; `actuals` is made when asked for. */
class StoredPeriod implements SimulationPeriod {
  readonly before?: Outcome;

  constructor(
    readonly id: string,
    readonly indicators: readonly Indicator[],
    readonly values: readonly (number | null)[],
    before: StoredOutcome | null,
  ) {
    if (before) this.before = { score: before[0], grade: before[1], escalations: before[2] };
  }

  get actuals(): Record<string, number | null> {
    const actuals: Record<string, number | null> = {};
    this.indicators.forEach((indicator, i) => (actuals[indicator.id] = this.values[i] ?? null));
    return actuals;
  }
}
