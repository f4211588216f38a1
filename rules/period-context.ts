// What a quarter's review knows beyond its own figures: each indicator's phased target and figures
// to date, and the earlier reviews escalation rules may compare with (`previous`).
import { periodPhases } from '../model/phasing.js';
import type { ContractState, PeriodState, Review } from '../model/state.js';
import { agreedActuals } from './evaluation.js';
import type { PeriodContext, PreviousReview } from './scoring.js';

/** The context of `period`'s review: scored against the terms of the revision it names. */
export function periodContext(state: ContractState, period: PeriodState): PeriodContext {
  const index = state.periods.findIndex((p) => p.id === period.id);
  const earlierPeriods = state.periods.slice(0, Math.max(index, 0));
  const phases = periodPhases(
    state.revisions[period.revision - 1]?.indicators ?? [],
    state.periods.map((p) => p.id),
    index,
    agreedActuals(period),
    earlierPeriods.map(agreedActuals),
  );
  const periods = earlierPeriods.flatMap((p) => (p.review ? [previousReview(p.id, p.review)] : []));
  const lastYearReview = state.years.at(-1)?.reviews.find((r) => r.period === period.id);
  return {
    phases,
    previous: {
      periods,
      last: periods.at(-1) ?? null,
      lastYear: lastYearReview
        ? {
            period: lastYearReview.period,
            composite: lastYearReview.score,
            grade: lastYearReview.grade,
            indicators: {},
          }
        : null,
    },
  };
}

function previousReview(period: string, review: Review): PreviousReview {
  return {
    period,
    composite: review.score,
    grade: review.grade,
    indicators: Object.fromEntries(review.indicators.map((s) => [s.id, s.score])),
  };
}
