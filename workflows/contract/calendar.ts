// The contract's calendar: the quarters planned at signing, what each day asks for (report
// requests, the reminder ladder, reviews of periods past their due date, approval reminders),
// and the pause of a suspension.
import { addDays, DAY, endOfDay } from '../../model/calendar.js';
import { hasEnded, reportDueDate, reportingPeriods } from '../../model/periods.js';
import type { PeriodState } from '../../model/state.js';
import { nowMs } from '../clock.js';
import { email, log, recipients, type ContractContext } from './context.js';
import { queueReview } from './reporting.js';
import { runCorrectiveLadder } from './action-plan.js';

/** The reporting periods of the year, with their due dates from the day of signing. */
export function planPeriods(ctx: ContractContext, signedOn: string): PeriodState[] {
  const { state } = ctx;
  return reportingPeriods(state.period).map((p) => ({
    ...p,
    due: reportDueDate(p.end, signedOn, state.period.reportDueDays),
    revision: state.revision,
    requested: false,
    ladder: [],
    late: false,
    moderations: [],
    superseded: [],
  }));
}

/** Suspension stops the clock: what was still ahead moves by the time the contract was paused. */
export function shiftCalendar(ctx: ContractContext, pausedMs: number): void {
  const days = Math.ceil(pausedMs / DAY);
  for (const p of ctx.state.periods) if (!p.report) p.due = addDays(p.due, days);
  // Each pending decision gets a fresh link with the moved expiry (a link carries its expiry).
  for (const a of ctx.state.pendingApprovals) {
    a.expiresAt = new Date(Date.parse(a.expiresAt) + pausedMs).toISOString();
    a.reminded = false;
    a.resends += 1;
    ctx.outbox.push({ type: 'approval', approval: { ...a } });
  }
}

/** Does what the calendar asks for now; returns the next instant it will ask for something. */
export function runCalendar(ctx: ContractContext): number | undefined {
  const { state, ruleSet } = ctx;
  const now = nowMs();
  let next: number | undefined;
  const consider = (at: number) => {
    if (at > now) next = next === undefined ? at : Math.min(next, at);
  };

  for (const approval of state.pendingApprovals) {
    // While suspended, only the decisions that can still be taken are chased.
    if (state.stage === 'suspended' && approval.kind !== 'resume' && approval.kind !== 'terminate') continue;
    const remindAt = Date.parse(approval.expiresAt) - ruleSet.approvals.reminderDaysBefore * DAY;
    if (!approval.reminded && now >= remindAt && now < Date.parse(approval.expiresAt)) {
      approval.reminded = true;
      ctx.outbox.push({ type: 'approval', approval: { ...approval, reminded: true } });
    } else if (!approval.reminded) consider(remindAt);
  }
  if (state.stage !== 'active') return next;

  const justEnded = state.periods.filter((p) => !p.requested && hasEnded(p, now));
  for (const p of justEnded) {
    p.requested = true;
    // Reminders whose day passed before the period was even over would only be noise.
    for (const step of ruleSet.ladder.steps) {
      if (step.offsetDays < 0 && now >= endOfDay(p.due) + step.offsetDays * DAY) p.ladder.push(step.id);
    }
  }
  if (justEnded.length > 0) {
    email(
      ctx,
      `${justEnded.map((p) => p.id).join('-')}/report-request`,
      recipients(ctx, ['unit']),
      'report-request',
      {
        periods: justEnded,
      },
    );
  }
  for (const p of state.periods) {
    if (!p.requested) {
      consider(endOfDay(p.end));
      continue;
    }
    const dueAt = endOfDay(p.due);
    if (!p.report) {
      for (const step of ruleSet.ladder.steps) {
        if (p.ladder.includes(step.id)) continue;
        const at = dueAt + step.offsetDays * DAY;
        if (now < at) {
          consider(at);
          continue;
        }
        p.ladder.push(step.id);
        if (step.flagLate) p.late = true;
        log(ctx, `ladder:${step.id}`, undefined, p.id);
        email(ctx, `${p.id}/ladder/${step.id}`, recipients(ctx, step.notify), step.template, {
          period: p,
          step,
          daysLate: Math.max(0, Math.floor((now - dueAt) / DAY)),
        });
      }
      // Not reported by its due date: the period is reviewed with the figures missing.
      if (!p.review && now >= dueAt) queueReview(ctx, p.id);
    }
    consider(dueAt);
    consider(dueAt + ctx.maxLadderOffset * DAY);
  }
  runCorrectiveLadder(ctx, now, consider);
  state.late = state.periods.some((p) => p.late && !p.report);
  return next;
}

/** The year can be evaluated when every quarter is reviewed and none can still be reported. */
export function readyForEvaluation(ctx: ContractContext): boolean {
  const { state } = ctx;
  const now = nowMs();
  return (
    state.periods.length > 0 &&
    ctx.reviewQueue.length === 0 &&
    state.periods.every((p) => p.review && (p.report || now >= endOfDay(p.due) + ctx.maxLadderOffset * DAY))
  );
}
