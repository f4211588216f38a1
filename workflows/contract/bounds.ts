// What keeps a contract's state bounded for years. The workflow holds its state in memory, answers
// it to every query and carries it into each new year; Temporal refuses payloads over 2 MB, and a
// contract past that answers nothing and can no longer be decided. So:
// - what accumulates is compacted, oldest first, whenever the state passes STATE_BUDGET: superseded
//   reviews and unused revisions keep their summary but not their indicators, older years their
//   score but not their detail, and the oldest lines of the record make room (the workflow history
//   keeps everything);
// - a change that would add to a state still over STATE_LIMIT is refused (409), while decisions,
//   reports, reviews and the renewal, which add little, always go on.
import { jsonBytes } from '../../model/bytes.js';
import type { ContractState, LogEntry, YearSummary } from '../../model/state.js';
import type { ContractContext } from './context.js';
import { conflict } from './failures.js';

/** Compaction starts above this many bytes of state. */
export const STATE_BUDGET = 800_000;
/** Changes that add content (proposals, moderations, requests) are refused above this. */
export const STATE_LIMIT = 1_200_000;
/** Years carried in full into a renewal; older ones keep their score and grade only. */
const YEARS_IN_FULL = 3;
/** Lines of the record carried into a renewal. */
const LOG_CARRIED = 1_000;

/** Compacts the state when it passes the budget. Returns its size in bytes. */
export function compact(ctx: ContractContext): number {
  const { state } = ctx;
  let bytes = jsonBytes(state);
  for (const step of [supersededReviews, unusedRevisions, olderYears, olderLog]) {
    if (bytes <= STATE_BUDGET) break;
    step(state, () => (bytes = jsonBytes(state)) <= STATE_BUDGET);
  }
  return bytes;
}

/** Refuses a change of about `adding` bytes when the state has no room left for it. */
export function checkRoom(ctx: ContractContext, adding: unknown): void {
  const bytes = jsonBytes(ctx.state) + jsonBytes(adding);
  if (bytes > STATE_LIMIT) {
    throw conflict(
      `This contract's record is full (${Math.round(bytes / 1000)} KB of ${STATE_LIMIT / 1000} KB): decisions, reports and the renewal go on, but no more proposals, moderations or requests this year. Start next year's terms, or ask the performance office.`,
    );
  }
}

/** What a renewal carries: the latest years in full, and the end of the record. */
export function carriedYears(state: ContractState): Pick<ContractState, 'years' | 'log'> {
  const years = state.years.map((y, i) => (i < state.years.length - YEARS_IN_FULL ? summaryOnly(y) : y));
  const dropped = Math.max(0, state.log.length - LOG_CARRIED);
  const log: LogEntry[] =
    dropped === 0
      ? state.log
      : [
          {
            at: state.log[dropped]!.at,
            year: state.log[dropped]!.year,
            event: 'record-compacted',
            detail: `${dropped} earlier lines of the record are in the workflow histories of earlier years`,
          },
          ...state.log.slice(dropped),
        ];
  return { years, log };
}

type Step = (state: ContractState, enough: () => boolean) => void;

/** Reviews replaced by a later one keep score, grade and when; the newest one replaced keeps all. */
const supersededReviews: Step = (state, enough) => {
  for (const period of state.periods) {
    for (const review of period.superseded.slice(0, -1)) {
      if (review.indicators.length === 0) continue;
      review.indicators = [];
      for (const e of review.escalations) delete e.why;
      review.compacted = true;
      if (enough()) return;
    }
  }
};

/** Revisions neither in force, nor scored against, nor awaiting a decision keep who, when and what became of them. */
const unusedRevisions: Step = (state, enough) => {
  const used = new Set<number>([state.revision]);
  for (const p of state.periods) {
    used.add(p.revision);
    if (p.review) used.add(p.review.revision);
    for (const r of p.superseded) used.add(r.revision);
  }
  for (const a of state.pendingApprovals) used.add(a.revision);
  if (state.signing) used.add(state.signing.revision);
  for (const revision of state.revisions) {
    if (used.has(revision.number) || revision.indicators.length === 0) continue;
    revision.compacted = { indicators: revision.indicators.length };
    revision.indicators = [];
    if (enough()) return;
  }
};

const olderYears: Step = (state, enough) => {
  for (let i = 0; i < state.years.length; i++) {
    if (!state.years[i]!.indicators.length && !state.years[i]!.decisions) continue;
    state.years[i] = summaryOnly(state.years[i]!);
    if (enough()) return;
  }
};

/** The oldest lines of the record, in chunks, behind one line saying so. */
const olderLog: Step = (state, enough) => {
  const marker = (n: number, at: LogEntry): LogEntry => ({
    at: at.at,
    year: at.year,
    event: 'record-compacted',
    detail: `${n} earlier lines of the record are in the workflow history`,
  });
  while (state.log.length > 100) {
    const already =
      state.log[0]?.event === 'record-compacted'
        ? Number(/^\d+/.exec(state.log[0].detail ?? '')?.[0] ?? 0)
        : 0;
    const start = already > 0 ? 1 : 0;
    const chunk = Math.max(1, Math.floor((state.log.length - start) / 10));
    const rest = state.log.slice(start + chunk);
    state.log.splice(0, state.log.length, marker(already + chunk, rest[0]!), ...rest);
    if (enough()) return;
  }
};

function summaryOnly(year: YearSummary): YearSummary {
  const summary: YearSummary = { ...year, indicators: [] };
  delete summary.decisions;
  return summary;
}
