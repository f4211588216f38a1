// Decisions by emailed link: what each approval does once taken (agree, sign, revise, sign off,
// terminate, suspend, resume), and the requests around them: asking the principal to terminate,
// suspend or resume, sending a fresh link, handing a decision to a delegate.
import { startPlan } from '../../model/action-plan.js';
import { setHandler } from '@temporalio/workflow';
import { DAY, formatDate } from '../../model/calendar.js';
import type { Person } from '../../model/contract.js';
import type { PendingApproval } from '../../model/state.js';
import { nowIso, nowMs } from '../clock.js';
import {
  decideUpdate,
  delegateUpdate,
  requestActionUpdate,
  resendApprovalUpdate,
  type ActionRequestInput,
  type DecisionInput,
  type DelegationInput,
  type ResendInput,
} from '../messages.js';
import { planPeriods, shiftCalendar } from './calendar.js';
import { ask, email, everyone, log, sequenceId, type ContractContext } from './context.js';
import { checkRoom } from './bounds.js';
import { conflict, forbidden, invalid, notFound, tooManyRequests } from './failures.js';
import { updateSearchAttributes } from './search-attributes.js';

export function registerApprovals(ctx: ContractContext): void {
  const { state } = ctx;

  setHandler(
    decideUpdate,
    (input) => {
      ctx.changes++;
      const approval = state.pendingApprovals.find((a) => a.id === input.approvalId)!;
      state.pendingApprovals = state.pendingApprovals.filter((a) => a !== approval);
      const documentSha256 = approval.kind === 'sign' ? state.signing?.sha256 : undefined;
      state.decisions.push({
        approvalId: approval.id,
        kind: approval.kind,
        revision: approval.revision,
        role: approval.role,
        decision: input.decision,
        ...(input.comment ? { comment: input.comment } : {}),
        by: approval.approver,
        at: nowIso(),
        ...(input.clientIp ? { clientIp: input.clientIp } : {}),
        ...(input.userAgent ? { userAgent: input.userAgent } : {}),
        ...(documentSha256 ? { documentSha256 } : {}),
      });
      log(ctx, `decision:${approval.kind}:${input.decision}`, approval.approver, input.comment);
      email(ctx, `${approval.id}/receipt`, [approval.approver], 'decision-receipt', {
        approval,
        decision: input.decision,
        comment: input.comment ?? '',
      });
      applyDecision(ctx, approval, input);
      updateSearchAttributes(ctx);
      return { stage: state.stage, decision: input.decision };
    },
    {
      validator: (input: DecisionInput) => {
        if (state.stage === 'closed' || state.stage === 'terminated')
          throw conflict(`The contract is ${state.stage}.`);
        const approval = state.pendingApprovals.find((a) => a.id === input.approvalId);
        if (!approval) {
          const taken = state.decisions.find((d) => d.approvalId === input.approvalId);
          throw conflict(
            taken
              ? `This decision was already taken: ${taken.decision} by ${taken.by.name} at ${taken.at}.`
              : 'This decision is no longer awaited: the contract has moved on.',
          );
        }
        if (approval.approver.email.toLowerCase() !== input.approverEmail.toLowerCase()) {
          throw forbidden(
            approval.delegatedBy
              ? `This decision was handed to ${approval.approver.name}.`
              : 'This link was issued to someone else.',
          );
        }
        if (nowMs() > Date.parse(approval.expiresAt))
          throw conflict('This approval link has expired; ask for a fresh one.');
        if (state.stage === 'suspended' && approval.kind !== 'terminate' && approval.kind !== 'resume') {
          throw conflict('The contract is suspended: this decision waits until it resumes.');
        }
      },
    },
  );

  setHandler(
    requestActionUpdate,
    (input) => {
      ctx.changes++;
      log(ctx, `${input.action}-requested`, input.actor ?? state.principal.signatory, input.reason);
      const approval = ask(ctx, input.action, 'principal', sequenceId(ctx, input.action), {
        reason: input.reason,
      });
      return { approvalId: approval.id, approver: approval.approver, expiresAt: approval.expiresAt };
    },
    {
      validator: (input: ActionRequestInput) => {
        if (!input.reason.trim()) throw invalid('/reason', 'Give a reason.');
        if (state.stage === 'terminated' || state.stage === 'closed')
          throw conflict(`The contract is ${state.stage}.`);
        if (input.action === 'resume' && state.stage !== 'suspended')
          throw conflict('Only a suspended contract can resume.');
        if (input.action === 'suspend' && state.stage === 'suspended')
          throw conflict('The contract is already suspended.');
        if (state.pendingApprovals.some((a) => a.kind === input.action)) {
          throw conflict(`A request to ${input.action} already awaits the principal's confirmation.`);
        }
        checkRoom(ctx, input.reason);
      },
    },
  );

  setHandler(
    resendApprovalUpdate,
    (input) => {
      ctx.changes++;
      const approval = state.pendingApprovals.find((a) => a.id === input.approvalId)!;
      approval.resends += 1;
      approval.resentAt = [...(approval.resentAt ?? []), nowIso()].slice(-RESENDS_PER_DAY);
      approval.reminded = false;
      approval.expiresAt = new Date(nowMs() + ctx.ruleSet.approvals.expiresAfterDays * DAY).toISOString();
      log(ctx, 'approval-resent', input.actor ?? approval.approver, approval.id);
      ctx.outbox.push({ type: 'approval', approval: { ...approval } });
      return { approvalId: approval.id, approver: approval.approver, expiresAt: approval.expiresAt };
    },
    {
      validator: (input: ResendInput) => {
        const approval = state.pendingApprovals.find((a) => a.id === input.approvalId);
        if (!approval) throw notFound('No such pending approval.');
        const retryAt = nextResendAt(approval.resentAt ?? []);
        if (retryAt > nowMs()) {
          const at = new Date(retryAt).toISOString();
          throw tooManyRequests(
            `A fresh link for this decision was sent recently (at most one every ${RESEND_GAP_MS / 60_000} minutes, ${RESENDS_PER_DAY} a day): the next can be sent at ${at}.`,
            at,
          );
        }
      },
    },
  );

  setHandler(
    delegateUpdate,
    (input) => {
      ctx.changes++;
      const approval = state.pendingApprovals.find((a) => a.id === input.approvalId)!;
      log(
        ctx,
        'delegated',
        input.actor ?? approval.approver,
        `${approval.id} to ${input.delegate.name} <${input.delegate.email}>${input.comment ? `: ${input.comment}` : ''}`,
      );
      approval.delegatedBy = approval.approver;
      approval.approver = input.delegate;
      approval.reminded = false;
      approval.expiresAt = new Date(nowMs() + ctx.ruleSet.approvals.expiresAfterDays * DAY).toISOString();
      ctx.outbox.push({ type: 'approval', approval: { ...approval } });
      return { approvalId: approval.id, approver: approval.approver, expiresAt: approval.expiresAt };
    },
    {
      validator: (input: DelegationInput) => {
        const approval = state.pendingApprovals.find((a) => a.id === input.approvalId);
        if (!approval) throw conflict('This decision is no longer awaited.');
        if (approval.approver.email.toLowerCase() !== input.approverEmail.toLowerCase()) {
          throw forbidden('Only the approver can hand this decision over.');
        }
        if (input.delegate.email.toLowerCase() === approval.approver.email.toLowerCase()) {
          throw invalid('/delegate/email', 'Hand the decision to someone else.');
        }
        // A party's decision stays with its own side: never the other party's signatory, people,
        // or those the other party handed its own decisions to.
        const delegate = input.delegate.email.toLowerCase();
        const otherSide = otherSideOf(ctx, approval.role).find((p) => p.email.toLowerCase() === delegate);
        if (otherSide) {
          throw invalid(
            '/delegate/email',
            `${otherSide.email} acts for the ${approval.role === 'unit' ? 'principal' : 'unit'} on this contract: a decision of the ${approval.role} cannot be handed to them.`,
          );
        }
      },
    },
  );
}

/** The people who act for the party opposite `role`: its signatory, its people, its delegates. */
function otherSideOf(ctx: ContractContext, role: PendingApproval['role']): Person[] {
  const { state } = ctx;
  const other = role === 'unit' ? 'principal' : 'unit';
  const delegates = state.pendingApprovals.filter((a) => a.role === other).map((a) => a.approver);
  return other === 'principal'
    ? [state.principal.signatory, ...state.managers, ...(state.principal.contacts ?? []), ...delegates]
    : [state.unit.signatory, ...(state.unit.contacts ?? []), ...delegates];
}

/** Fresh links for one decision: at most one every ten minutes, five a day (an approver's inbox is not a target). */
const RESEND_GAP_MS = 10 * 60_000;
const RESENDS_PER_DAY = 5;

/** When the next resend is allowed, given the latest ones. */
function nextResendAt(resentAt: string[]): number {
  const times = resentAt.map((t) => Date.parse(t));
  const afterGap = times.length > 0 ? times[times.length - 1]! + RESEND_GAP_MS : 0;
  const afterDay = times.length >= RESENDS_PER_DAY ? times[times.length - RESENDS_PER_DAY]! + DAY : 0;
  return Math.max(afterGap, afterDay);
}

function applyDecision(ctx: ContractContext, approval: PendingApproval, input: DecisionInput): void {
  const { state } = ctx;
  const approved = input.decision === 'approve';
  const revision = state.revisions[approval.revision - 1];
  switch (approval.kind) {
    case 'agree':
      if (approved) {
        revision!.status = 'agreed';
        state.stage = 'vetting';
      } else backToNegotiation(ctx, approval, input.comment);
      return;
    case 'sign':
      if (!approved) return backToNegotiation(ctx, approval, input.comment);
      if (state.pendingApprovals.some((a) => a.kind === 'sign')) return;
      revision!.status = 'signed';
      state.stage = 'active';
      state.signedAt = nowIso();
      state.periods = planPeriods(ctx, formatDate(nowMs()));
      if (revision!.actionPlan) state.actionPlan = startPlan(revision!.actionPlan);
      log(
        ctx,
        'signed',
        undefined,
        `revision ${revision!.number}, document SHA-256 ${state.signing?.sha256 ?? ''}`,
      );
      email(ctx, `r${revision!.number}/signed`, everyone(ctx), 'contract-signed', {
        revision: revision!.number,
        signing: state.signing,
      });
      return;
    case 'revise':
      if (!approved) {
        revision!.status = 'rejected';
        state.pendingApprovals = state.pendingApprovals.filter((a) => a.kind !== 'revise');
        email(ctx, `r${approval.revision}/revise-rejected`, everyone(ctx), 'decision-rejected', {
          approval,
          comment: input.comment ?? '',
          revision: approval.revision,
        });
        return;
      }
      if (state.pendingApprovals.some((a) => a.kind === 'revise')) return;
      revision!.status = 'agreed';
      state.revision = revision!.number;
      for (const p of state.periods) if (!p.review) p.revision = revision!.number;
      log(ctx, 'mid-year-revision-applied', undefined, `revision ${revision!.number}`);
      email(ctx, `r${revision!.number}/revised`, everyone(ctx), 'revision-applied', {
        revision: revision!,
        periods: state.periods,
      });
      return;
    case 'signoff':
      if (approved) {
        state.evaluation!.signedOff = { by: approval.approver, at: nowIso() };
      } else {
        // The figures stay open to moderation (which evaluates again); until then the principal
        // keeps a sign-off to give, so the year can never be left without a way forward.
        email(ctx, `${approval.id}/rejected`, everyone(ctx), 'decision-rejected', {
          approval,
          comment: input.comment ?? '',
          revision: approval.revision,
        });
        ask(ctx, 'signoff', 'principal', sequenceId(ctx, 'signoff'));
      }
      return;
    case 'terminate':
      if (!approved) return;
      state.terminated = { at: nowIso(), reason: approval.reason ?? '' };
      state.stage = 'terminated';
      state.pendingApprovals = [];
      email(ctx, `${approval.id}/terminated`, everyone(ctx), 'contract-ended', {
        outcome: 'terminated',
        reason: approval.reason,
      });
      return;
    case 'suspend':
      if (!approved) return;
      state.suspended = { since: nowIso(), reason: approval.reason ?? '', stage: state.stage };
      state.stage = 'suspended';
      email(ctx, `${approval.id}/suspended`, everyone(ctx), 'contract-suspended', {
        reason: approval.reason,
        resumed: false,
      });
      return;
    case 'resume': {
      if (!approved || !state.suspended) return;
      const pausedMs = nowMs() - Date.parse(state.suspended.since);
      shiftCalendar(ctx, pausedMs);
      state.stage = state.suspended.stage;
      log(ctx, 'resumed', undefined, `after ${Math.round(pausedMs / DAY)} days`);
      delete state.suspended;
      email(ctx, `${approval.id}/resumed`, everyone(ctx), 'contract-suspended', {
        reason: approval.reason,
        resumed: true,
      });
      return;
    }
  }
}

/** A rejected agreement or signature: the revision is rejected and the parties negotiate again. */
function backToNegotiation(
  ctx: ContractContext,
  approval: PendingApproval,
  comment: string | undefined,
): void {
  const { state } = ctx;
  const revision = state.revisions[approval.revision - 1]!;
  revision.status = 'rejected';
  state.pendingApprovals = state.pendingApprovals.filter((a) => a.kind !== 'agree' && a.kind !== 'sign');
  state.stage = 'negotiation';
  email(ctx, `r${revision.number}/${approval.id}/rejected`, everyone(ctx), 'decision-rejected', {
    approval,
    comment: comment ?? '',
    revision: revision.number,
  });
}
