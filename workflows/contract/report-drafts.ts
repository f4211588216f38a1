// Reports in two steps: the unit saves figures into the period's draft (all or some, with comments,
// data quality, evidence, explanations) as often as it likes; submitting lays the submission over
// the draft and makes the report. A figure left out at submission needs an explanation.
import { setHandler } from '@temporalio/workflow';
import type { Indicator } from '../../model/contract.js';
import type { Figure, FigureNote } from '../../model/report.js';
import type { PeriodState, Report } from '../../model/state.js';
import { nowIso, nowMs } from '../clock.js';
import { saveReportDraftUpdate, type DraftInput, type ReportInput } from '../messages.js';
import { checkRoom } from './bounds.js';
import { log, revisionOf, type ContractContext } from './context.js';
import { conflict, escapePointer, invalid } from './failures.js';

export function registerReportDrafts(ctx: ContractContext): void {
  const { state } = ctx;
  setHandler(
    saveReportDraftUpdate,
    (input) => {
      ctx.changes++;
      const period = state.periods.find((p) => p.id === input.period)!;
      period.draft = {
        figures: { ...(period.draft?.figures ?? {}), ...input.figures },
        savedAt: nowIso(),
        ...(input.actor ? { savedBy: input.actor } : {}),
      };
      log(
        ctx,
        'report-draft-saved',
        input.actor ?? state.unit.name,
        `${period.id}: ${Object.keys(input.figures).join(', ')}`,
      );
      const merged = period.draft.figures;
      return { period: period.id, missing: unexplained(revisionOf(ctx, period).indicators, merged) };
    },
    {
      validator: (input: DraftInput) => {
        if (state.stage !== 'active')
          throw conflict(`Reports are drafted while the contract is active; it is in ${state.stage}.`);
        const period = findPeriod(ctx, input.period);
        if (Date.parse(period.start) > nowMs())
          throw conflict(`${period.id} starts on ${period.start}; draft its report from then.`);
        if (period.report)
          throw conflict(`${period.id} has already been submitted; a manager may moderate its figures.`);
        if (Object.keys(input.figures).length === 0) throw invalid('/figures', 'Give at least one figure.');
        checkFigures(input.figures, '/figures', revisionOf(ctx, period).indicators);
        checkRoom(ctx, [period.draft, input.figures]);
      },
    },
  );
}

/** The period named, or a 400 listing the contract's periods. */
export function findPeriod(ctx: ContractContext, id: string): PeriodState {
  const period = ctx.state.periods.find((p) => p.id === id);
  if (!period) {
    throw invalid(
      '/period',
      `Unknown period '${id}'; this contract has ${ctx.state.periods.map((p) => p.id).join(', ')}.`,
    );
  }
  return period;
}

/** The draft with the submission laid over it, figure by figure; `actuals` set the numbers last. */
export function submittedFigures(period: PeriodState, input: ReportInput): Record<string, Figure> {
  const figures: Record<string, Figure> = { ...(period.draft?.figures ?? {}), ...(input.figures ?? {}) };
  for (const [id, actual] of Object.entries(input.actuals ?? {})) figures[id] = { ...figures[id], actual };
  return figures;
}

/** The report the submitted figures make: the numbers given, and the notes where any was given. */
export function reportOf(figures: Record<string, Figure>, submittedAt: string, late: boolean): Report {
  const actuals: Record<string, number | null> = {};
  const notes: Record<string, FigureNote> = {};
  for (const [id, { actual, ...note }] of Object.entries(figures)) {
    if (actual !== undefined) actuals[id] = actual;
    if (Object.keys(note).length > 0) notes[id] = note;
  }
  return { actuals, submittedAt, late, ...(Object.keys(notes).length > 0 ? { notes } : {}) };
}

/** Refuses a submission that leaves a figure out (or null) without saying why. */
export function checkExplained(indicators: Indicator[], figures: Record<string, Figure>): void {
  const missing = unexplained(indicators, figures);
  if (missing.length === 0) return;
  throw invalid(
    `/figures/${escapePointer(missing[0]!)}/explanation`,
    `No figure for ${missing.join(', ')}: give ${missing.length > 1 ? 'them' : 'it'}, or explain why ${missing.length > 1 ? 'they are' : 'it is'} missing (figures.<indicator>.explanation).`,
  );
}

function unexplained(indicators: Indicator[], figures: Record<string, Figure>): string[] {
  return indicators
    .filter((i) => {
      const figure = Object.hasOwn(figures, i.id) ? figures[i.id] : undefined;
      return (figure?.actual ?? null) === null && !figure?.explanation?.trim();
    })
    .map((i) => i.id);
}

/** Every figure names a known indicator; its number is finite or null; its evidence is well formed. */
export function checkFigures(figures: Record<string, Figure>, at: string, indicators: Indicator[]): void {
  checkActuals(
    Object.fromEntries(Object.entries(figures).map(([id, figure]) => [id, figure.actual ?? null])),
    at,
    indicators,
    '/actual',
  );
  for (const [id, figure] of Object.entries(figures)) {
    for (const [i, evidence] of (figure.evidence ?? []).entries()) {
      if (!/^[0-9a-f]{64}$/.test(evidence.sha256) || !evidence.name || !evidence.type || !(evidence.size > 0))
        throw invalid(
          `${at}/${escapePointer(id)}/evidence/${i}`,
          'Evidence names an uploaded file: its sha256, name, type and size.',
        );
    }
  }
}

/** Every figure names a known indicator and is a finite number or null. */
export function checkActuals(
  actuals: Record<string, unknown>,
  at: string,
  indicators: Indicator[],
  suffix = '',
): void {
  const known = new Set(indicators.map((i) => i.id));
  for (const [id, value] of Object.entries(actuals)) {
    if (!known.has(id)) throw invalid(`${at}/${escapePointer(id)}`, `Unknown indicator '${id}'.`);
    if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) {
      throw invalid(`${at}/${escapePointer(id)}${suffix}`, 'Must be a number or null.');
    }
  }
}
