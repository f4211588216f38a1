// What lists and dashboards see of the contract in Temporal visibility.
import { upsertSearchAttributes } from '@temporalio/workflow';
import { endOfDay, formatDate } from '../../model/calendar.js';
import { nowMs } from '../clock.js';
import { GRADE, LATE, NEXT_DUE, PERIOD, SCORE, STAGE, UNIT, YEAR } from '../messages.js';
import type { ContractContext } from './context.js';

export function updateSearchAttributes(ctx: ContractContext): void {
  const { state } = ctx;
  const open = state.periods.filter((p) => !p.review);
  const latest = [...state.periods].reverse().find((p) => p.review);
  const today = formatDate(nowMs());
  const currentPeriod = open.find((p) => p.start <= today) ?? latest;
  upsertSearchAttributes([
    { key: STAGE, value: state.stage },
    { key: UNIT, value: state.unit.name },
    { key: YEAR, value: state.year },
    { key: PERIOD, value: currentPeriod?.id ?? null },
    { key: SCORE, value: state.evaluation?.score ?? latest?.review?.score ?? null },
    { key: GRADE, value: state.evaluation?.grade ?? latest?.review?.grade ?? null },
    { key: NEXT_DUE, value: open[0] ? new Date(endOfDay(open[0].due)) : null },
    { key: LATE, value: state.late },
  ]);
}
