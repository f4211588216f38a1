// What lists and dashboards saw of the contract in Temporal visibility, before the read model.
import { patched, upsertSearchAttributes } from '@temporalio/workflow';
import { endOfDay, formatDate } from '../../model/calendar.js';
import { nowMs } from '../clock.js';
import { GRADE, LATE, NEXT_DUE, PERIOD, SCORE, STAGE, UNIT, YEAR } from '../messages.js';
import type { ContractContext } from './context.js';

/**
 * Lists read the read model now (workflows/contract/projection.ts): contracts that run this code
 * stop upserting their search attributes, an event and a visibility write each time. Those recorded
 * before keep upserting as they did.
 */
const LISTS_FROM_READ_MODEL = 'lists-from-read-model';

export function updateSearchAttributes(ctx: ContractContext): void {
  ctx.searchAttributesRetired ??= patched(LISTS_FROM_READ_MODEL);
  if (ctx.searchAttributesRetired) return;
  const { state } = ctx;
  const open = state.periods.filter((p) => !p.review);
  const latest = [...state.periods].reverse().find((p) => p.review);
  const today = formatDate(nowMs());
  const currentPeriod = open.find((p) => p.start <= today) ?? latest;
  upsertSearchAttributes([
    { key: STAGE, value: state.stage },
    { key: UNIT, value: keyword(state.unit.name) },
    { key: YEAR, value: state.year },
    { key: PERIOD, value: currentPeriod?.id ?? null },
    { key: SCORE, value: state.evaluation?.score ?? latest?.review?.score ?? null },
    { key: GRADE, value: keyword(state.evaluation?.grade ?? latest?.review?.grade ?? null) },
    { key: NEXT_DUE, value: open[0] ? new Date(endOfDay(open[0].due)) : null },
    { key: LATE, value: state.late },
  ]);
}

/** Temporal refuses a keyword over 2 KB, and terminates the workflow that upserts one: cut long ones. */
function keyword(value: string | null): string | null {
  return value === null || value.length <= MAX_KEYWORD ? value : value.slice(0, MAX_KEYWORD);
}

/** Characters of a keyword kept: 500 characters stay under 2 KB even at 4 bytes each. */
const MAX_KEYWORD = 500;
