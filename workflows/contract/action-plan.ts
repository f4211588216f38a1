// The action plan in the workflow: progress from the unit (with a report or on its own), the plan
// reviewed with each period, and corrective actions: asked for by an escalation whose rule says
// so, added by the unit as an initiative with an owner and a due date, closed with a note or
// evidence; one not added in time, or not closed by its due date, climbs the reminder ladder.
import { setHandler } from '@temporalio/workflow';
import type { CorrectiveAction, Initiative, InitiativeUpdate, PlanReview } from '../../model/action-plan.js';
import { planIssues } from '../../model/action-plan.js';
import { addDays, DAY, endOfDay, formatDate } from '../../model/calendar.js';
import type { PeriodState, Review } from '../../model/state.js';
import { nowIso, nowMs } from '../clock.js';
import {
  addCorrectiveActionUpdate,
  closeCorrectiveActionUpdate,
  updateActionPlanUpdate,
  type CorrectiveCloseInput,
  type CorrectiveInput,
  type PlanUpdateInput,
} from '../messages.js';
import { checkRoom } from './bounds.js';
import { currentRevision, email, log, recipients, revisionOf, type ContractContext } from './context.js';
import { conflict, escapePointer, invalid } from './failures.js';

export function registerActionPlan(ctx: ContractContext): void {
  const { state } = ctx;

  setHandler(
    updateActionPlanUpdate,
    (input) => {
      ctx.changes++;
      applyPlanUpdates(ctx, input.updates, input.actor);
      return { updated: Object.keys(input.updates) };
    },
    {
      validator: (input: PlanUpdateInput) => {
        if (state.stage !== 'active' && state.stage !== 'evaluation')
          throw conflict(`The action plan is updated while the contract is active; it is in ${state.stage}.`);
        if (Object.keys(input.updates).length === 0)
          throw invalid('/updates', 'Name at least one initiative.');
        checkPlanUpdates(ctx, input.updates, '/updates');
        checkRoom(ctx, input.updates);
      },
    },
  );

  setHandler(
    addCorrectiveActionUpdate,
    (input) => {
      ctx.changes++;
      const action = correctiveAction(ctx, input.action)!;
      const { due, ...initiative } = input.initiative;
      const plan = (state.actionPlan ??= []);
      plan.push({
        ...initiative,
        status: 'planned',
        milestones: initiative.milestones?.map((m) => ({ ...m })) ?? [{ id: 'done', title: 'Done', due }],
        progress: [],
        corrective: action.id,
      });
      action.status = 'open';
      action.initiative = initiative.id;
      action.due = due;
      action.addedAt = nowIso();
      log(
        ctx,
        'corrective-action-added',
        input.actor ?? state.unit.name,
        `${action.id}: ${initiative.title}, owner ${initiative.owner.name}, due ${due}${nowMs() > endOfDay(action.addBy) ? ' (late)' : ''}`,
      );
      return action;
    },
    {
      validator: (input: CorrectiveInput) => {
        const action = correctiveAction(ctx, input.action);
        if (!action) throw invalid('/action', `No corrective action '${input.action}' was asked for.`);
        if (action.status !== 'requested')
          throw conflict(`Corrective action '${action.id}' was already added (${action.initiative}).`);
        if (state.actionPlan?.some((i) => i.id === input.initiative.id))
          throw invalid('/initiative/id', `The plan already has an initiative '${input.initiative.id}'.`);
        if (input.initiative.due < formatDate(nowMs()))
          throw invalid('/initiative/due', 'A corrective action is due in the future.');
        const issue = planIssues([input.initiative], indicatorIds(ctx), '/initiative')[0];
        if (issue) throw invalid(issue.pointer.replace('/initiative/0', '/initiative'), issue.message);
        checkRoom(ctx, input.initiative);
      },
    },
  );

  setHandler(
    closeCorrectiveActionUpdate,
    (input) => {
      ctx.changes++;
      const action = correctiveAction(ctx, input.action)!;
      action.status = 'closed';
      action.closedAt = nowIso();
      action.closing = {
        ...(input.note ? { note: input.note } : {}),
        ...(input.evidence?.length ? { evidence: input.evidence } : {}),
        ...(input.actor ? { by: input.actor } : {}),
      };
      const initiative = state.actionPlan?.find((i) => i.id === action.initiative);
      if (initiative) {
        initiative.status = 'done';
        initiative.progress.push({
          at: nowIso(),
          ...(input.actor ? { by: input.actor } : {}),
          status: 'done',
          ...(input.note ? { note: input.note } : {}),
          ...(input.evidence?.length ? { evidence: input.evidence } : {}),
        });
      }
      log(
        ctx,
        'corrective-action-closed',
        input.actor ?? state.unit.name,
        `${action.id}: ${input.note ?? 'evidence'}`,
      );
      return action;
    },
    {
      validator: (input: CorrectiveCloseInput) => {
        const action = correctiveAction(ctx, input.action);
        if (!action) throw invalid('/action', `No corrective action '${input.action}' was asked for.`);
        if (action.status === 'requested')
          throw conflict(`Corrective action '${action.id}' has not been added yet: add it, then close it.`);
        if (action.status === 'closed') throw conflict(`Corrective action '${action.id}' is already closed.`);
        if (!input.note?.trim() && !input.evidence?.length)
          throw invalid('/note', 'Closing a corrective action needs a note or evidence of what was done.');
        checkRoom(ctx, [input.note, input.evidence]);
      },
    },
  );
}

function correctiveAction(ctx: ContractContext, id: string): CorrectiveAction | undefined {
  return ctx.state.correctiveActions?.find((a) => a.id === id);
}

function indicatorIds(ctx: ContractContext): string[] {
  return currentRevision(ctx).indicators.map((i) => i.id);
}

/** Each update names an initiative of the plan, and milestones of that initiative. */
export function checkPlanUpdates(
  ctx: ContractContext,
  updates: Record<string, InitiativeUpdate>,
  at: string,
): void {
  for (const [id, update] of Object.entries(updates)) {
    const here = `${at}/${escapePointer(id)}`;
    const initiative = ctx.state.actionPlan?.find((i) => i.id === id);
    if (!initiative) {
      throw invalid(
        here,
        ctx.state.actionPlan?.length
          ? `Unknown initiative '${id}'; the plan has ${ctx.state.actionPlan.map((i) => i.id).join(', ')}.`
          : 'This contract has no action plan.',
      );
    }
    for (const milestone of Object.keys(update.milestones ?? {})) {
      if (!initiative.milestones.some((m) => m.id === milestone))
        throw invalid(
          `${here}/milestones/${escapePointer(milestone)}`,
          `Unknown milestone '${milestone}' of '${id}'.`,
        );
    }
  }
}

/** Applies the unit's updates: statuses, milestones done or reopened, a progress note each. */
export function applyPlanUpdates(
  ctx: ContractContext,
  updates: Record<string, InitiativeUpdate>,
  actor?: string,
  period?: string,
): void {
  for (const [id, update] of Object.entries(updates)) {
    const initiative = ctx.state.actionPlan!.find((i) => i.id === id)!;
    if (update.status) initiative.status = update.status;
    for (const [milestoneId, done] of Object.entries(update.milestones ?? {})) {
      const milestone = initiative.milestones.find((m) => m.id === milestoneId)!;
      if (done === null) delete milestone.doneOn;
      else milestone.doneOn = done;
    }
    initiative.progress.push({
      at: nowIso(),
      ...(actor ? { by: actor } : {}),
      ...(period ? { period } : {}),
      ...(update.note ? { note: update.note } : {}),
      ...(update.status ? { status: update.status } : {}),
    });
  }
  log(
    ctx,
    'action-plan-updated',
    actor ?? ctx.state.unit.name,
    `${period ? `${period}: ` : ''}${Object.keys(updates).join(', ')}`,
  );
}

/**
 * What the review of a period finds of the plan: milestones due by now and not done, initiatives
 * serving indicators below their target this period, such indicators no open initiative serves,
 * and corrective actions not added or not closed in time.
 */
export function reviewPlan(ctx: ContractContext, review: Review): PlanReview | undefined {
  const { state } = ctx;
  if (!state.actionPlan && !state.correctiveActions) return undefined;
  const today = formatDate(nowMs());
  const open = (i: Initiative) => i.status !== 'done' && i.status !== 'dropped';
  const plan = state.actionPlan ?? [];
  const below = review.indicators
    .filter((s) => {
      const target = s.periodTarget ?? s.target;
      if (s.actual === null) return true;
      return s.direction === 'lower' ? s.actual > target : s.actual < target;
    })
    .map((s) => s.id);
  return {
    overdue: plan
      .filter(open)
      .flatMap((i) =>
        i.milestones
          .filter((m) => !m.doneOn && m.due < today)
          .map((m) => ({ initiative: i.id, milestone: m.id, title: m.title, due: m.due })),
      ),
    behind: plan
      .filter((i) => open(i) && i.indicators.some((id) => below.includes(id)))
      .map((i) => ({
        initiative: i.id,
        title: i.title,
        indicators: i.indicators.filter((id) => below.includes(id)),
      })),
    uncovered: below.filter((id) => !plan.some((i) => open(i) && i.indicators.includes(id))),
    correctiveLate: (state.correctiveActions ?? [])
      .filter((a) => (a.status === 'requested' && a.addBy < today) || (a.status === 'open' && a.due! < today))
      .map((a) => a.id),
  };
}

/** Asks the unit for the corrective actions the review's escalations require (once per period and escalation). */
export function requestCorrectiveActions(ctx: ContractContext, period: PeriodState, review: Review): void {
  const { state } = ctx;
  for (const escalation of review.escalations) {
    if (!escalation.corrective) continue;
    const id = `${period.id}-${escalation.id}`;
    if (state.correctiveActions?.some((a) => a.id === id)) continue;
    const action: CorrectiveAction = {
      id,
      escalation: escalation.id,
      period: period.id,
      message: escalation.message,
      requestedAt: nowIso(),
      addBy: addDays(formatDate(nowMs()), escalation.corrective.withinDays),
      status: 'requested',
      ladder: [],
    };
    (state.correctiveActions ??= []).push(action);
    log(ctx, 'corrective-action-requested', undefined, `${id}: add by ${action.addBy}`);
    email(
      ctx,
      `${period.id}/corrective/${escalation.id}`,
      recipients(ctx, ['unit', 'unit-head']),
      'corrective-action',
      {
        action,
        stage: 'requested',
        indicators: revisionOf(ctx, period).indicators,
      },
    );
  }
}

/**
 * The reminder ladder of corrective actions: the rule set's steps counted from the day an action
 * must be added by, and, once added, from the day it is due. Returns the next instant it asks for.
 */
export function runCorrectiveLadder(ctx: ContractContext, now: number, consider: (at: number) => void): void {
  const { ruleSet } = ctx;
  for (const action of ctx.state.correctiveActions ?? []) {
    if (action.status === 'closed') continue;
    const phase = action.status === 'requested' ? 'add' : 'close';
    const dueAt = endOfDay(phase === 'add' ? action.addBy : action.due!);
    for (const step of ruleSet.ladder.steps) {
      const key = `${phase}:${step.id}`;
      if (action.ladder.includes(key)) continue;
      const at = dueAt + step.offsetDays * DAY;
      // A reminder whose day had passed when the action was asked for (or added) would be noise.
      const since = Date.parse(phase === 'add' ? action.requestedAt : action.addedAt!);
      if (step.offsetDays < 0 && at < since) {
        action.ladder.push(key);
        continue;
      }
      if (now < at) {
        consider(at);
        continue;
      }
      action.ladder.push(key);
      log(
        ctx,
        `corrective-ladder:${step.id}`,
        undefined,
        `${action.id} (${phase === 'add' ? 'not added' : 'not closed'})`,
      );
      email(ctx, `corrective/${action.id}/${key}`, recipients(ctx, step.notify), 'corrective-action', {
        action,
        stage: phase === 'add' ? 'not-added' : 'not-closed',
        step,
        daysLate: Math.max(0, Math.floor((now - dueAt) / DAY)),
      });
    }
  }
}
