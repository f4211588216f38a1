import { describe, expect, it } from 'vitest';
import { addMonths, endOfDay } from '../../model/calendar.js';
import { hasEnded, reportDueDate, reportingPeriods } from '../../model/periods.js';

describe('reporting periods', () => {
  it('splits a July-June financial year into four quarters', () => {
    expect(
      reportingPeriods({ start: '2027-07-01', end: '2028-06-30', reporting: 'quarterly', reportDueDays: 15 }),
    ).toEqual([
      { id: 'Q1', start: '2027-07-01', end: '2027-09-30' },
      { id: 'Q2', start: '2027-10-01', end: '2027-12-31' },
      { id: 'Q3', start: '2028-01-01', end: '2028-03-31' },
      { id: 'Q4', start: '2028-04-01', end: '2028-06-30' },
    ]);
  });

  it('ends the last period with a contract that stops mid-quarter', () => {
    const periods = reportingPeriods({
      start: '2027-01-15',
      end: '2027-08-31',
      reporting: 'quarterly',
      reportDueDays: 10,
    });
    expect(periods.map((p) => [p.id, p.start, p.end])).toEqual([
      ['Q1', '2027-01-15', '2027-04-14'],
      ['Q2', '2027-04-15', '2027-07-14'],
      ['Q3', '2027-07-15', '2027-08-31'],
    ]);
  });

  it('clamps month ends and knows leap years', () => {
    expect(addMonths('2027-11-30', 3)).toBe('2028-02-29');
    expect(addMonths('2026-11-30', 3)).toBe('2027-02-28');
    expect(addMonths('2027-01-31', -2)).toBe('2026-11-30');
  });

  it('makes a report due after the period, or after the signing for periods already over', () => {
    expect(reportDueDate('2027-09-30', '2027-07-10', 15)).toBe('2027-10-15');
    expect(reportDueDate('2027-09-30', '2027-11-20', 15)).toBe('2027-12-05');
  });

  it('says a period has ended only once its last day is over (UTC)', () => {
    const q1 = { id: 'Q1', start: '2027-07-01', end: '2027-09-30' };
    expect(hasEnded(q1, endOfDay('2027-09-30') - 1)).toBe(false);
    expect(hasEnded(q1, endOfDay('2027-09-30'))).toBe(true);
  });
});
