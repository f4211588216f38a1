import { addDays, addMonths, endOfDay, laterDate } from './calendar.js';
import type { ContractPeriod } from './contract.js';

export interface ReportingPeriod {
  id: string;
  start: string;
  end: string;
}

/** Quarterly reporting periods from the contract's start; the last one ends with the contract. */
export function reportingPeriods(period: ContractPeriod): ReportingPeriod[] {
  const periods: ReportingPeriod[] = [];
  for (let i = 0; ; i++) {
    const start = addMonths(period.start, 3 * i);
    if (start > period.end) break;
    const naturalEnd = addDays(addMonths(period.start, 3 * (i + 1)), -1);
    periods.push({ id: `Q${i + 1}`, start, end: naturalEnd < period.end ? naturalEnd : period.end });
  }
  return periods;
}

/**
 * A report is due `reportDueDays` after its period ends, or after the signing when the period
 * was already over: nobody is late for a period before the contract existed.
 */
export function reportDueDate(periodEnd: string, signedOn: string, reportDueDays: number): string {
  return addDays(laterDate(periodEnd, signedOn), reportDueDays);
}

export function hasEnded(period: ReportingPeriod, nowMs: number): boolean {
  return nowMs >= endOfDay(period.end);
}
