// What-if: a draft rule set run over contracts' stored periods (their agreed actuals), or over
// their complete years as the annual evaluation, beside what each was given when reviewed or
// evaluated; the changes counted and summarised. Pure, and fast enough for a national portfolio
// (50,000 contracts x 30 indicators x 4 quarters in a few seconds, bench/simulate.ts): the scoring
// itself is ./period-scorer.ts. The results equal scorePeriod's.
import type { Indicator } from '../model/contract.js';
import { isPhased, periodIds, periodPhases, type IndicatorPhase } from '../model/phasing.js';
import type { RuleSetDraft } from '../model/ruleset.js';
import type { ContractState } from '../model/state.js';
import { agreedActuals, figureOf, yearValues } from './evaluation.js';
import { PeriodScorer, type PreviousContext } from './period-scorer.js';
import type { PreviousReview } from './scoring.js';

export interface Outcome {
  score: number;
  grade: string;
  /** Ids of the escalations that fire. */
  escalations: readonly string[];
}

export interface SimulationPeriod {
  id: string;
  /** The terms the period is scored against. */
  indicators: readonly Indicator[];
  /** The agreed actuals: the report with every moderation applied. */
  actuals: Readonly<Record<string, number | null>>;
  /** The same in the indicators' order, where the figures were stored so: read instead of `actuals`. */
  values?: readonly (number | null)[];
  /** As reviewed, by the contract's own rule set; absent when not reviewed yet. */
  before?: Outcome;
}

export interface SimulationContract {
  id: string;
  title?: string;
  /** The quarters of the contract's year: phased targets are read from it (absent: none are). */
  quarters?: number;
  periods: readonly SimulationPeriod[];
  /** The year's annual evaluation, when it has one that was scored. */
  evaluation?: { score: number; grade: string };
  /** The terms in force now (the current revision): the annual evaluation scores the year against them. */
  yearTerms?: readonly Indicator[];
}

/**
 * better / worse: the grade moved up or down the draft's grades (scoring.grades, best first);
 * changed: another grade that list cannot rank; same: the same grade; new: never reviewed before;
 * failed: a rule of the draft gave no usable result (see error).
 */
export type Change = 'better' | 'worse' | 'changed' | 'same' | 'new' | 'failed';

export interface SimulatedPeriod {
  period: string;
  before: Outcome | null;
  after: Outcome | null;
  change: Change;
  error?: string;
}

export interface SimulatedContract {
  id: string;
  title?: string;
  periods: SimulatedPeriod[];
}

export interface SimulationSummary {
  contracts: number;
  periods: number;
  /** Periods whose grade changes: better + worse + those the grade list cannot rank. */
  gradesChanged: number;
  better: number;
  worse: number;
  same: number;
  /** Periods never reviewed before, scored by the draft only. */
  new: number;
  failed: number;
  /** Periods whose set of escalations changes. */
  escalationsChanged: number;
  /** Periods per grade. */
  grades: { before: Record<string, number>; after: Record<string, number> };
  /** Periods per escalation id. */
  escalations: { before: Record<string, number>; after: Record<string, number> };
  meanScore: { before: number | null; after: number | null };
}

export interface SimulationResult {
  summary: SimulationSummary;
  contracts: SimulatedContract[];
}

export interface SimulationOptions {
  /** Leave periods whose grade and escalations stay the same out of `contracts` (the summary counts them). */
  onlyChanged?: boolean;
  /** Leave out every period whose grade stays (a change of escalations alone too): the studio lists grade moves. */
  onlyGradeChanged?: boolean;
  /**
   * 'year': the annual evaluation instead of the quarters, one row ("year") per contract whose every
   * quarter is reported: each indicator's quarters aggregated as the rule set says, scored against
   * the terms of the last quarter, beside the year's evaluation when it has one.
   */
  of?: 'periods' | 'year';
}

/**
 * Runs the draft over the periods. A rule that cannot be compiled throws RuleError with the pointer
 * of the rule set document; a rule that gives no number for a period fails that period only.
 */
export function simulate(
  ruleSet: RuleSetDraft,
  contracts: Iterable<SimulationContract>,
  options: SimulationOptions = {},
): SimulationResult {
  const part = simulatePart(ruleSet, contracts, options);
  return { summary: summarize([part.counts]), contracts: part.contracts };
}

/**
 * One share of a portfolio simulated (threads simulate a share each): what it counted, and its
 * first `keep` contracts with periods to show, in order. `summarize` adds up the shares' counts.
 */
export interface SimulationPart {
  counts: SimulationCounts;
  contracts: SimulatedContract[];
  /** Contracts with periods to show in the whole share, kept or not. */
  shown: number;
}

export function simulatePart(
  ruleSet: RuleSetDraft,
  contracts: Iterable<SimulationContract>,
  options: SimulationOptions & { keep?: number } = {},
): SimulationPart {
  if (options.of === 'year') return simulateYears(ruleSet, contracts, options);
  const scorer = new PeriodScorer(ruleSet);
  const rank = new Map((ruleSet.scoring.grades ?? []).map((grade, i) => [grade, i]));
  const tally = new Tally();
  const keep = options.keep ?? Infinity;
  const out: SimulatedContract[] = [];
  let shown = 0;
  for (const contract of contracts) {
    const periods: SimulatedPeriod[] = [];
    const year = new YearSoFar(contract, scorer.readsPrevious);
    for (const period of contract.periods) {
      const row = scorer.score(period, year.phases(period), year.previous());
      year.add(period, row, scorer);
      row.change = changeOf(row, rank);
      tally.add(row);
      if (shows(row, options)) periods.push(row);
    }
    if (contract.periods.length > 0) tally.counts.contracts++;
    if (periods.length === 0) continue;
    if (shown++ >= keep) continue;
    out.push({
      id: contract.id,
      ...(contract.title === undefined ? {} : { title: contract.title }),
      periods,
    });
  }
  return { counts: tally.counts, contracts: out, shown };
}

/** The annual evaluation simulated: one row per contract with a complete year (SimulationOptions.of). */
function simulateYears(
  ruleSet: RuleSetDraft,
  contracts: Iterable<SimulationContract>,
  options: SimulationOptions & { keep?: number },
): SimulationPart {
  // Scored as the workflow's evaluateYear scores it (rules/evaluation.ts): against the terms in
  // force now, no phases, rows without quarter fields; the annual evaluation raises no escalations.
  const scorer = new PeriodScorer({ ...ruleSet, escalations: [] }, { year: true });
  const rank = new Map((ruleSet.scoring.grades ?? []).map((grade, i) => [grade, i]));
  const tally = new Tally();
  const keep = options.keep ?? Infinity;
  const out: SimulatedContract[] = [];
  let shown = 0;
  for (const contract of contracts) {
    const last = contract.periods.at(-1);
    if (!last || contract.periods.length < (contract.quarters ?? Infinity)) continue;
    tally.counts.contracts++;
    const terms = contract.yearTerms ?? last.indicators;
    // Each quarter's figures by the year's terms: by position where the quarter had the same terms
    // (stored figures carry them so), else by id from its actuals, made once per quarter.
    const quarters = contract.periods.map((p) => {
      if (p.values && p.indicators === terms) return p.values;
      const { actuals } = p;
      return terms.map((i) => figureOf(actuals, i.id));
    });
    const actuals = yearValues(terms, ruleSet.scoring.aggregation, quarters);
    const row = scorer.score({
      id: 'year',
      indicators: terms,
      actuals,
      ...(contract.evaluation ? { before: { ...contract.evaluation, escalations: [] } } : {}),
    });
    row.change = changeOf(row, rank);
    tally.add(row);
    if (!shows(row, options)) continue;
    if (shown++ >= keep) continue;
    out.push({
      id: contract.id,
      ...(contract.title === undefined ? {} : { title: contract.title }),
      periods: [row],
    });
  }
  return { counts: tally.counts, contracts: out, shown };
}

/** A contract's stored periods, as its state query returns them: those reported or reviewed. */
export function simulationContract(state: ContractState): SimulationContract {
  const periods: SimulationPeriod[] = [];
  for (const period of state.periods) {
    if (!period.report && !period.review) continue;
    const revision = state.revisions[(period.review?.revision ?? period.revision) - 1];
    const review = period.review;
    periods.push({
      id: period.id,
      indicators: revision?.indicators ?? [],
      actuals: agreedActuals(period),
      // A review the rule set could not score has nothing to compare with: the draft's result is new.
      ...(review && review.score !== null
        ? {
            before: {
              score: review.score,
              grade: review.grade,
              escalations: review.escalations.map((e) => e.id),
            },
          }
        : {}),
    });
  }
  const evaluated = state.evaluation;
  const terms = state.revisions[state.revision - 1]?.indicators;
  return {
    id: state.id,
    title: state.title,
    quarters: state.periods.length,
    periods,
    ...(evaluated && evaluated.score !== null
      ? { evaluation: { score: evaluated.score, grade: evaluated.grade } }
      : {}),
    ...(terms ? { yearTerms: terms } : {}),
  };
}

/**
 * What a period's score reads of the periods before it in the same year, as the workflow gives it
 * (rules/scoring.ts PeriodContext): phased targets and figures to date, and, for escalation rules
 * that read `previous`, the earlier periods as this simulation scored them. Last year's reviews are
 * not part of the stored figures: `previous.lastYear` is null in a simulation.
 */
class YearSoFar {
  private readonly ids: string[] | undefined;
  private readonly earlierActuals: Record<string, number | null>[] = [];
  private readonly earlier: PreviousReview[] = [];

  constructor(
    contract: SimulationContract,
    private readonly keepPrevious: boolean,
  ) {
    const phased = contract.periods.some((p) => p.indicators.some(isPhased));
    this.ids = phased && contract.quarters !== undefined ? periodIds(contract.quarters) : undefined;
  }

  phases(period: SimulationPeriod): IndicatorPhase[] | undefined {
    if (!this.ids || !period.indicators.some(isPhased)) return undefined;
    const index = this.ids.indexOf(period.id);
    if (index < 0) return undefined;
    return periodPhases(period.indicators, this.ids, index, period.actuals, this.earlierActuals);
  }

  previous(): PreviousContext | undefined {
    if (!this.keepPrevious) return undefined;
    return { periods: this.earlier, last: this.earlier.at(-1) ?? null, lastYear: null };
  }

  add(period: SimulationPeriod, row: SimulatedPeriod, scorer: PeriodScorer): void {
    if (this.ids) this.earlierActuals.push(period.actuals);
    if (!this.keepPrevious) return;
    this.earlier.push({
      period: period.id,
      composite: row.after?.score ?? null,
      grade: row.after?.grade ?? '',
      indicators: row.after ? scorer.lastScores() : {},
    });
  }
}

/** Whether a period is listed: every one, those that change at all, or those whose grade changes. */
function shows(row: SimulatedPeriod, options: SimulationOptions): boolean {
  if (options.onlyGradeChanged)
    return row.change === 'better' || row.change === 'worse' || row.change === 'changed';
  return !options.onlyChanged || row.change !== 'same' || !sameIds(row.before, row.after);
}

function changeOf(row: SimulatedPeriod, rank: ReadonlyMap<string, number>): Change {
  if (row.after === null) return 'failed';
  if (row.before === null) return 'new';
  if (row.before.grade === row.after.grade) return 'same';
  const from = rank.get(row.before.grade);
  const to = rank.get(row.after.grade);
  if (from === undefined || to === undefined) return 'changed';
  return to < from ? 'better' : 'worse';
}

function sameIds(a: Outcome | null, b: Outcome | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.escalations.length === b.escalations.length && a.escalations.every((id) => b.escalations.includes(id))
  );
}

/** What a simulation counts, as plain data (it crosses from thread to thread). */
export interface SimulationCounts {
  contracts: number;
  periods: number;
  changes: Record<Change, number>;
  escalationsChanged: number;
  grades: { before: Record<string, number>; after: Record<string, number> };
  escalations: { before: Record<string, number>; after: Record<string, number> };
  sums: { before: number; beforeCount: number; after: number; afterCount: number };
}

class Tally {
  // Keyed by names a rule returns: objects without a prototype, so no name can reach one.
  readonly counts: SimulationCounts = {
    contracts: 0,
    periods: 0,
    changes: { better: 0, worse: 0, changed: 0, same: 0, new: 0, failed: 0 },
    escalationsChanged: 0,
    grades: { before: counts(), after: counts() },
    escalations: { before: counts(), after: counts() },
    sums: { before: 0, beforeCount: 0, after: 0, afterCount: 0 },
  };

  add(row: SimulatedPeriod): void {
    const c = this.counts;
    c.periods++;
    c.changes[row.change]++;
    if (row.before !== null && row.after !== null && !sameIds(row.before, row.after)) c.escalationsChanged++;
    if (row.before !== null) {
      count(c.grades.before, row.before.grade);
      for (const id of row.before.escalations) count(c.escalations.before, id);
      c.sums.before += row.before.score;
      c.sums.beforeCount++;
    }
    if (row.after !== null) {
      count(c.grades.after, row.after.grade);
      for (const id of row.after.escalations) count(c.escalations.after, id);
      c.sums.after += row.after.score;
      c.sums.afterCount++;
    }
  }
}

/** The summary of shares of one simulation, from what each counted. */
export function summarize(parts: readonly SimulationCounts[]): SimulationSummary {
  const total = new Tally().counts;
  for (const part of parts) {
    total.contracts += part.contracts;
    total.periods += part.periods;
    for (const change of Object.keys(total.changes) as Change[])
      total.changes[change] += part.changes[change];
    total.escalationsChanged += part.escalationsChanged;
    for (const side of ['before', 'after'] as const) {
      for (const [grade, n] of Object.entries(part.grades[side])) count(total.grades[side], grade, n);
      for (const [id, n] of Object.entries(part.escalations[side])) count(total.escalations[side], id, n);
    }
    total.sums.before += part.sums.before;
    total.sums.beforeCount += part.sums.beforeCount;
    total.sums.after += part.sums.after;
    total.sums.afterCount += part.sums.afterCount;
  }
  const { better, worse, changed, same, failed } = total.changes;
  const mean = (sum: number, n: number): number | null =>
    n === 0 ? null : Math.round((sum / n) * 100) / 100;
  return {
    contracts: total.contracts,
    periods: total.periods,
    gradesChanged: better + worse + changed,
    better,
    worse,
    same,
    new: total.changes.new,
    failed,
    escalationsChanged: total.escalationsChanged,
    grades: total.grades,
    escalations: total.escalations,
    meanScore: {
      before: mean(total.sums.before, total.sums.beforeCount),
      after: mean(total.sums.after, total.sums.afterCount),
    },
  };
}

function counts(): Record<string, number> {
  return Object.create(null) as Record<string, number>;
}

function count(counts: Record<string, number>, key: string, n = 1): void {
  counts[key] = (counts[key] ?? 0) + n;
}
