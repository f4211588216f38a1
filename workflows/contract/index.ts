// One performance contract, one durable workflow: negotiation, vetting, signing, quarterly
// reporting with its reminder ladder and reviews, moderation, mid-year revision, the annual
// evaluation and its sign-off, then renewal into next year (continue-as-new) or closure.
//
// The rooms: ./negotiation.ts (proposals, vetting, the signing document), ./approvals.ts
// (decisions by link and what they do; termination, suspension, resends, delegation),
// ./reporting.ts (reports, reviews, moderation), ./mid-year-revision.ts, ./calendar.ts (periods,
// the reminder ladder, approval reminders), ./evaluation.ts (evaluation, renewal), ./mail.ts (the
// mail queue). Handlers validate and change the shared context (./context.ts); this main loop does
// the side effects and sleeps on durable timers until the calendar or a person asks for something.
import { allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import type { ContractState } from '../../model/state.js';
import { nowMs } from '../clock.js';
import { stateQuery, type ContractWorkflowInput } from '../messages.js';
import { registerActionPlan } from './action-plan.js';
import { registerApprovals } from './approvals.js';
import { compact } from './bounds.js';
import { readyForEvaluation, runCalendar } from './calendar.js';
import { createContext, log } from './context.js';
import { evaluate, finishYear } from './evaluation.js';
import { mailSent, sendMail } from './mail.js';
import { registerMidYearRevision } from './mid-year-revision.js';
import { propose, registerNegotiation, vet } from './negotiation.js';
import { markChanged, projectChanges, projected } from './projection.js';
import { registerReportDrafts } from './report-drafts.js';
import { registerReporting, review } from './reporting.js';
import { updateSearchAttributes } from './search-attributes.js';

export async function contractWorkflow(input: ContractWorkflowInput): Promise<ContractState> {
  const ctx = createContext(input);
  const { state } = ctx;

  setHandler(stateQuery, () => state);
  registerNegotiation(ctx);
  registerMidYearRevision(ctx);
  registerApprovals(ctx);
  registerReporting(ctx);
  registerReportDrafts(ctx);
  registerActionPlan(ctx);

  updateSearchAttributes(ctx);
  void sendMail(ctx);
  void projectChanges(ctx);
  propose(
    ctx,
    input.contract.indicators,
    'principal',
    input.carried ? `Renewal for year ${state.year}` : undefined,
    undefined,
    input.contract.actionPlan,
  );

  for (;;) {
    compact(ctx);
    if (state.stage === 'terminated') {
      log(ctx, 'terminated', undefined, state.terminated?.reason);
      updateSearchAttributes(ctx);
      markChanged(ctx);
      await condition(() => mailSent(ctx) && projected(ctx) && allHandlersFinished());
      return state;
    }
    if (state.stage === 'vetting') {
      await vet(ctx);
      continue;
    }
    if (ctx.reviewQueue.length > 0 && state.stage !== 'suspended') {
      // Off the queue before the review starts: a report or moderation arriving meanwhile queues it again.
      const id = ctx.reviewQueue.shift();
      await review(
        ctx,
        state.periods.find((p) => p.id === id)!,
      );
      continue;
    }
    if (state.stage === 'evaluation' && (!state.evaluation || ctx.evaluationStale)) {
      await evaluate(ctx);
      continue;
    }
    if (state.stage === 'evaluation' && state.evaluation?.signedOff) return finishYear(ctx);

    const next = runCalendar(ctx);
    const reviewsDue = () => ctx.reviewQueue.length > 0 && state.stage !== 'suspended';
    if (reviewsDue()) continue;
    if (state.stage === 'active' && readyForEvaluation(ctx)) {
      // Targets can no longer change for a period: a mid-year revision still awaiting approval lapses.
      for (const a of state.pendingApprovals.filter((p) => p.kind === 'revise')) {
        state.revisions[a.revision - 1]!.status = 'superseded';
      }
      state.pendingApprovals = state.pendingApprovals.filter((a) => a.kind !== 'revise');
      state.stage = 'evaluation';
      log(ctx, 'evaluation-started');
      continue;
    }
    updateSearchAttributes(ctx);
    const seen = ctx.changes;
    const stage = state.stage;
    markChanged(ctx);
    const woken = () => ctx.changes !== seen || reviewsDue() || state.stage !== stage;
    if (next === undefined) await condition(woken);
    else await condition(woken, Math.max(1, next - nowMs()));
  }
}
