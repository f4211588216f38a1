// One performance contract, one durable workflow: negotiation, vetting, signing, quarterly
// reporting with its reminder ladder and reviews, moderation, mid-year revision, the annual
// evaluation and its sign-off, then renewal into next year (continue-as-new) or closure.
// Handlers validate and change state; the main loop does the side effects (emails, documents)
// and sleeps on durable timers until the calendar or a person asks for something.
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { createActivities, EmailTemplate } from '../activities/index.js';
import { MAIL_REJECTED } from '../model/errors.js';
import { addDays, addMonths, DAY, endOfDay, formatDate } from '../model/calendar.js';
import type { ContractInput, Indicator, Person } from '../model/contract.js';
import { hasEnded, reportDueDate, reportingPeriods } from '../model/periods.js';
import type { Recipient } from '../model/ruleset.js';
import type {
  ApprovalKind,
  ContractState,
  PartyRole,
  PendingApproval,
  PeriodState,
  Revision,
  YearSummary,
} from '../model/state.js';
import { agreedActuals, evaluateYear, renewIndicators } from '../rules/evaluation.js';
import { runGuards, scorePeriod } from '../rules/scoring.js';
import { nowIso, nowMs } from './clock.js';
import {
  decideUpdate,
  delegateUpdate,
  GRADE,
  LATE,
  moderateUpdate,
  NEXT_DUE,
  PERIOD,
  proposeMidYearRevisionUpdate,
  proposeRevisionUpdate,
  requestActionUpdate,
  resendApprovalUpdate,
  SCORE,
  STAGE,
  stateQuery,
  submitReportUpdate,
  UNIT,
  YEAR,
  type ActionRequestInput,
  type ContractWorkflowInput,
  type DecisionInput,
  type DelegationInput,
  type MidYearRevisionInput,
  type ModerationInput,
  type ProposalInput,
  type ReportInput,
  type ResendInput,
} from './messages.js';

type Activities = ReturnType<typeof createActivities>;

const { sendEmail, requestApproval, storeReviewDocument, storeContractDocument, storeEvaluationDocument } =
  proxyActivities<Activities>({
    startToCloseTimeout: '1 minute',
    // Mail relays go down for hours: keep retrying with backoff rather than lose a message.
    retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '15 minutes' },
  });

type Outgoing =
  | { type: 'email'; key: string; to: Person[]; template: EmailTemplate; data: Record<string, unknown> }
  | { type: 'approval'; approval: PendingApproval };

export async function contractWorkflow(input: ContractWorkflowInput): Promise<ContractState> {
  const { contract, ruleSet, carried } = input;
  const state: ContractState = {
    id: contract.id,
    title: contract.title,
    year: carried?.year ?? 1,
    stage: 'negotiation',
    principal: contract.principal,
    unit: contract.unit,
    managers: contract.managers,
    period: contract.period,
    ruleSet: contract.ruleSet,
    revision: 1,
    revisions: [],
    pendingApprovals: [],
    decisions: [],
    periods: [],
    late: false,
    renewal: contract.renewal ?? 'automatic',
    years: carried?.years ?? [],
    log: carried?.log ?? [],
    createdAt: carried?.createdAt ?? nowIso(),
    ...(contract.objectives ? { objectives: contract.objectives } : {}),
    ...(contract.notes ? { notes: contract.notes } : {}),
  };
  const outbox: Outgoing[] = [];
  const reviewQueue: string[] = [];
  let evaluationStale = false;
  let sending = false;
  let changes = 0;
  const prefix = `${state.id}/y${state.year}`;
  const maxLadderOffset = Math.max(0, ...ruleSet.ladder.steps.map((s) => s.offsetDays));

  const signatory = (role: PartyRole): Person => (role === 'unit' ? state.unit : state.principal).signatory;
  const other = (role: PartyRole): PartyRole => (role === 'unit' ? 'principal' : 'unit');
  const current = (): Revision => state.revisions[state.revision - 1]!;
  const everyone = (): Person[] => [state.unit.signatory, state.principal.signatory, ...state.managers];
  const summary = () => ({
    id: state.id,
    title: state.title,
    year: state.year,
    unit: state.unit,
    principal: state.principal,
    ruleSet: { ...state.ruleSet, name: ruleSet.name },
  });

  function log(event: string, by?: Person | string, detail?: string): void {
    const who = typeof by === 'string' ? by : by ? `${by.name} <${by.email}>` : undefined;
    state.log.push({
      at: nowIso(),
      year: state.year,
      event,
      ...(who ? { by: who } : {}),
      ...(detail ? { detail } : {}),
    });
  }

  function email(
    key: string,
    to: Person[],
    template: EmailTemplate,
    data: Record<string, unknown> = {},
  ): void {
    outbox.push({
      type: 'email',
      key: `${prefix}/${key}`,
      to: unique(to),
      template,
      data: { contract: summary(), ...data },
    });
  }

  function recipients(notify: Recipient[]): Person[] {
    const people: Person[] = [];
    if (notify.includes('unit'))
      people.push(...(state.unit.contacts?.length ? state.unit.contacts : [state.unit.signatory]));
    if (notify.includes('unit-head')) people.push(state.unit.signatory);
    if (notify.includes('principal')) people.push(state.principal.signatory);
    if (notify.includes('managers')) people.push(...state.managers);
    return people;
  }

  function ask(
    kind: ApprovalKind,
    role: PartyRole,
    id: string,
    options: { reason?: string; revision?: number } = {},
  ): PendingApproval {
    const { reason, revision } = options;
    const approval: PendingApproval = {
      id,
      kind,
      revision: revision ?? state.revision,
      role,
      approver: signatory(role),
      requestedAt: nowIso(),
      expiresAt: new Date(nowMs() + ruleSet.approvals.expiresAfterDays * DAY).toISOString(),
      resends: 0,
      reminded: false,
      ...(reason ? { reason } : {}),
    };
    state.pendingApprovals.push(approval);
    outbox.push({ type: 'approval', approval: { ...approval } });
    return approval;
  }

  function propose(indicators: Indicator[], proposedBy: PartyRole, note?: string, actor?: string): number {
    for (const r of state.revisions) if (r.status === 'proposed') r.status = 'superseded';
    state.pendingApprovals = state.pendingApprovals.filter(
      (a) => a.kind === 'terminate' || a.kind === 'suspend',
    );
    const number = state.revisions.length + 1;
    state.revisions.push({
      number,
      indicators,
      proposedBy,
      proposedAt: nowIso(),
      kind: 'negotiation',
      status: 'proposed',
      ...(note ? { note } : {}),
    });
    state.revision = number;
    state.stage = 'negotiation';
    log(
      'revision-proposed',
      actor ?? signatory(proposedBy),
      `revision ${number} for the ${proposedBy}${note ? `: ${note}` : ''}`,
    );
    ask('agree', other(proposedBy), `y${state.year}-r${number}-agree-${other(proposedBy)}`);
    return number;
  }

  function sequenceId(kind: ApprovalKind): string {
    const n = [...state.decisions, ...state.pendingApprovals].filter((a) => a.kind === kind).length;
    return `y${state.year}-${kind}-${n + 1}`;
  }

  // ---- Queries and Updates -------------------------------------------------------------------

  setHandler(stateQuery, () => state);

  setHandler(
    proposeRevisionUpdate,
    (proposal) => {
      changes++;
      return { revision: propose(proposal.indicators, proposal.proposedBy, proposal.note, proposal.actor) };
    },
    {
      validator: (proposal: ProposalInput) => {
        if (state.stage !== 'negotiation') {
          throw conflict(`Revisions can be proposed during negotiation; the contract is in ${state.stage}.`);
        }
        checkUniqueIds(proposal.indicators);
      },
    },
  );

  setHandler(
    proposeMidYearRevisionUpdate,
    (input) => {
      changes++;
      const number = state.revisions.length + 1;
      const indicators = current().indicators.map((i) =>
        i.id in input.targets ? { ...i, target: input.targets[i.id]! } : i,
      );
      state.revisions.push({
        number,
        indicators,
        proposedBy: input.proposedBy,
        proposedAt: nowIso(),
        kind: 'mid-year',
        status: 'proposed',
        note: input.justification,
      });
      log(
        'mid-year-revision-proposed',
        input.actor ?? signatory(input.proposedBy),
        `revision ${number}: ${input.justification}`,
      );
      for (const role of ['principal', 'unit'] as const)
        ask('revise', role, `y${state.year}-r${number}-revise-${role}`, { revision: number });
      return { revision: number };
    },
    {
      validator: (input: MidYearRevisionInput) => {
        if (state.stage !== 'active')
          throw conflict(`A mid-year revision needs an active contract; it is in ${state.stage}.`);
        const q2 = state.periods[1];
        if (!q2 || !hasEnded(q2, nowMs()))
          throw conflict('A mid-year revision can be proposed once Q2 is over.');
        if (state.periods.every((p) => p.review))
          throw conflict('Every period is already reviewed: nothing left to revise.');
        if (state.pendingApprovals.some((a) => a.kind === 'revise'))
          throw conflict('A mid-year revision is already awaiting approval.');
        if (!input.justification.trim())
          throw invalid('/justification', 'A mid-year revision needs a justification.');
        const known = new Set(current().indicators.map((i) => i.id));
        for (const [id, target] of Object.entries(input.targets)) {
          if (!known.has(id)) throw invalid(`/targets/${escapePointer(id)}`, `Unknown indicator '${id}'.`);
          if (!Number.isFinite(target)) throw invalid(`/targets/${escapePointer(id)}`, 'Must be a number.');
        }
        // Revised targets pass the same vetting guards as the signed ones.
        const revised = current().indicators.map((i) =>
          i.id in input.targets ? { ...i, target: input.targets[i.id]! } : i,
        );
        const failure = runGuards(ruleSet, revised)[0];
        if (failure) {
          const at = /^\/indicators\/(\d+)$/.exec(failure.pointer);
          const id = at ? revised[Number(at[1])]!.id : undefined;
          throw invalid(
            id ? `/targets/${escapePointer(id)}` : '/targets',
            `[${failure.guard}] ${failure.message}`,
          );
        }
      },
    },
  );

  setHandler(
    decideUpdate,
    (input) => {
      changes++;
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
      log(`decision:${approval.kind}:${input.decision}`, approval.approver, input.comment);
      email(`${approval.id}/receipt`, [approval.approver], 'decision-receipt', {
        approval,
        decision: input.decision,
        comment: input.comment ?? '',
      });
      applyDecision(approval, input);
      updateSearchAttributes();
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
          throw ApplicationFailure.create({
            type: 'forbidden',
            message: approval.delegatedBy
              ? `This decision was handed to ${approval.approver.name}.`
              : 'This link was issued to someone else.',
            nonRetryable: true,
          });
        }
        if (nowMs() > Date.parse(approval.expiresAt))
          throw conflict('This approval link has expired; ask for a fresh one.');
        if (state.stage === 'suspended' && approval.kind !== 'terminate' && approval.kind !== 'resume') {
          throw conflict('The contract is suspended: this decision waits until it resumes.');
        }
      },
    },
  );

  function applyDecision(approval: PendingApproval, input: DecisionInput): void {
    const approved = input.decision === 'approve';
    const revision = state.revisions[approval.revision - 1];
    switch (approval.kind) {
      case 'agree':
        if (approved) {
          revision!.status = 'agreed';
          state.stage = 'vetting';
        } else backToNegotiation(approval, input.comment);
        return;
      case 'sign':
        if (!approved) return backToNegotiation(approval, input.comment);
        if (state.pendingApprovals.some((a) => a.kind === 'sign')) return;
        revision!.status = 'signed';
        state.stage = 'active';
        state.signedAt = nowIso();
        state.periods = planPeriods(formatDate(nowMs()));
        log(
          'signed',
          undefined,
          `revision ${revision!.number}, document SHA-256 ${state.signing?.sha256 ?? ''}`,
        );
        email(`r${revision!.number}/signed`, everyone(), 'contract-signed', {
          revision: revision!.number,
          signing: state.signing,
        });
        return;
      case 'revise':
        if (!approved) {
          revision!.status = 'rejected';
          state.pendingApprovals = state.pendingApprovals.filter((a) => a.kind !== 'revise');
          email(`r${approval.revision}/revise-rejected`, everyone(), 'decision-rejected', {
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
        log('mid-year-revision-applied', undefined, `revision ${revision!.number}`);
        email(`r${revision!.number}/revised`, everyone(), 'revision-applied', {
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
          email(`${approval.id}/rejected`, everyone(), 'decision-rejected', {
            approval,
            comment: input.comment ?? '',
            revision: approval.revision,
          });
          ask('signoff', 'principal', sequenceId('signoff'));
        }
        return;
      case 'terminate':
        if (!approved) return;
        state.terminated = { at: nowIso(), reason: approval.reason ?? '' };
        state.stage = 'terminated';
        state.pendingApprovals = [];
        email(`${approval.id}/terminated`, everyone(), 'contract-ended', {
          outcome: 'terminated',
          reason: approval.reason,
        });
        return;
      case 'suspend':
        if (!approved) return;
        state.suspended = { since: nowIso(), reason: approval.reason ?? '', stage: state.stage };
        state.stage = 'suspended';
        email(`${approval.id}/suspended`, everyone(), 'contract-suspended', {
          reason: approval.reason,
          resumed: false,
        });
        return;
      case 'resume': {
        if (!approved || !state.suspended) return;
        const pausedMs = nowMs() - Date.parse(state.suspended.since);
        shiftCalendar(pausedMs);
        state.stage = state.suspended.stage;
        log('resumed', undefined, `after ${Math.round(pausedMs / DAY)} days`);
        delete state.suspended;
        email(`${approval.id}/resumed`, everyone(), 'contract-suspended', {
          reason: approval.reason,
          resumed: true,
        });
        return;
      }
    }
  }

  function backToNegotiation(approval: PendingApproval, comment: string | undefined): void {
    const revision = state.revisions[approval.revision - 1]!;
    revision.status = 'rejected';
    state.pendingApprovals = state.pendingApprovals.filter((a) => a.kind !== 'agree' && a.kind !== 'sign');
    state.stage = 'negotiation';
    email(`r${revision.number}/${approval.id}/rejected`, everyone(), 'decision-rejected', {
      approval,
      comment: comment ?? '',
      revision: revision.number,
    });
  }

  setHandler(
    submitReportUpdate,
    (report) => {
      changes++;
      const period = state.periods.find((p) => p.id === report.period)!;
      period.report = {
        actuals: report.actuals,
        submittedAt: nowIso(),
        late: nowMs() >= endOfDay(period.due),
      };
      state.late = state.periods.some((p) => p.late && !p.report);
      log(
        'report-accepted',
        report.actor ?? state.unit.name,
        `${period.id}${period.report.late ? ' (late)' : ''}`,
      );
      if (!reviewQueue.includes(period.id)) reviewQueue.push(period.id);
      return { period: period.id, late: period.report.late };
    },
    {
      validator: (report: ReportInput) => {
        if (state.stage !== 'active')
          throw conflict(`Reports are accepted while the contract is active; it is in ${state.stage}.`);
        const period = state.periods.find((p) => p.id === report.period);
        if (!period) {
          throw invalid(
            '/period',
            `Unknown period '${report.period}'; this contract has ${state.periods.map((p) => p.id).join(', ')}.`,
          );
        }
        if (!hasEnded(period, nowMs()))
          throw conflict(`${period.id} ends on ${period.end}; report it after that.`);
        if (period.report)
          throw conflict(`${period.id} has already been reported; a manager may moderate its figures.`);
        checkActuals(report.actuals, '/actuals', revisionOf(period).indicators);
      },
    },
  );

  setHandler(
    moderateUpdate,
    (input) => {
      changes++;
      const period = state.periods.find((p) => p.id === input.period)!;
      const before = agreedActuals(period);
      for (const [indicator, value] of Object.entries(input.values)) {
        period.moderations.push({
          indicator,
          from: before[indicator] ?? null,
          to: value.actual,
          reason: value.reason,
          by: input.by,
          at: nowIso(),
        });
        log(
          'moderated',
          input.by,
          `${period.id} ${indicator}: ${before[indicator] ?? 'none'} -> ${value.actual ?? 'none'} (${value.reason})`,
        );
      }
      if (!reviewQueue.includes(period.id)) reviewQueue.push(period.id);
      if (state.stage === 'evaluation') evaluationStale = true;
      const rescored = scorePeriod(ruleSet, revisionOf(period).indicators, agreedActuals(period), period.id);
      return { period: period.id, score: rescored.score, grade: rescored.grade };
    },
    {
      validator: (input: ModerationInput) => {
        if (state.stage !== 'active' && state.stage !== 'evaluation') {
          throw conflict(
            `Figures can be moderated while the contract is active or under evaluation; it is in ${state.stage}.`,
          );
        }
        if (state.evaluation?.signedOff)
          throw conflict('The evaluation is signed off: the figures are final.');
        if (!state.managers.some((m) => m.email.toLowerCase() === input.by.email.toLowerCase())) {
          throw ApplicationFailure.create({
            type: 'forbidden',
            message: `${input.by.email} is not a manager of this contract.`,
            nonRetryable: true,
          });
        }
        const period = state.periods.find((p) => p.id === input.period);
        if (!period) throw invalid('/period', `Unknown period '${input.period}'.`);
        const firstReview = period.superseded[0] ?? period.review;
        if (!firstReview)
          throw conflict(`${period.id} has not been reviewed yet: moderation follows the review.`);
        // Under evaluation the figures stay open until the sign-off; before, each period has its window.
        const windowEnds = Date.parse(firstReview.reviewedAt) + ruleSet.moderation.windowDays * DAY;
        if (state.stage === 'active' && nowMs() > windowEnds) {
          throw conflict(
            `The moderation window of ${period.id} closed ${ruleSet.moderation.windowDays} days after its review.`,
          );
        }
        if (Object.keys(input.values).length === 0) throw invalid('/values', 'Name at least one indicator.');
        const values = Object.fromEntries(Object.entries(input.values).map(([id, v]) => [id, v.actual]));
        checkActuals(values, '/values', revisionOf(period).indicators, '/actual');
        // The handler scores the moderated figures: a rule set that cannot score them is refused here.
        try {
          scorePeriod(
            ruleSet,
            revisionOf(period).indicators,
            { ...agreedActuals(period), ...values },
            period.id,
          );
        } catch (err) {
          throw invalid('/values', err instanceof Error ? err.message : String(err));
        }
        for (const [id, value] of Object.entries(input.values)) {
          if (!value.reason.trim())
            throw invalid(`/values/${escapePointer(id)}/reason`, 'Every moderation needs a reason.');
        }
      },
    },
  );

  setHandler(
    requestActionUpdate,
    (input) => {
      changes++;
      log(`${input.action}-requested`, input.actor ?? state.principal.signatory, input.reason);
      const approval = ask(input.action, 'principal', sequenceId(input.action), { reason: input.reason });
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
      },
    },
  );

  setHandler(
    resendApprovalUpdate,
    (input) => {
      changes++;
      const approval = state.pendingApprovals.find((a) => a.id === input.approvalId)!;
      approval.resends += 1;
      approval.reminded = false;
      approval.expiresAt = new Date(nowMs() + ruleSet.approvals.expiresAfterDays * DAY).toISOString();
      log('approval-resent', input.actor ?? approval.approver, approval.id);
      outbox.push({ type: 'approval', approval: { ...approval } });
      return { approvalId: approval.id, approver: approval.approver, expiresAt: approval.expiresAt };
    },
    {
      validator: (input: ResendInput) => {
        if (!state.pendingApprovals.some((a) => a.id === input.approvalId)) {
          throw ApplicationFailure.create({
            type: 'not-found',
            message: 'No such pending approval.',
            nonRetryable: true,
          });
        }
      },
    },
  );

  setHandler(
    delegateUpdate,
    (input) => {
      changes++;
      const approval = state.pendingApprovals.find((a) => a.id === input.approvalId)!;
      log(
        'delegated',
        approval.approver,
        `${approval.id} to ${input.delegate.name} <${input.delegate.email}>${input.comment ? `: ${input.comment}` : ''}`,
      );
      approval.delegatedBy = approval.approver;
      approval.approver = input.delegate;
      approval.reminded = false;
      approval.expiresAt = new Date(nowMs() + ruleSet.approvals.expiresAfterDays * DAY).toISOString();
      outbox.push({ type: 'approval', approval: { ...approval } });
      return { approvalId: approval.id, approver: approval.approver, expiresAt: approval.expiresAt };
    },
    {
      validator: (input: DelegationInput) => {
        const approval = state.pendingApprovals.find((a) => a.id === input.approvalId);
        if (!approval) throw conflict('This decision is no longer awaited.');
        if (approval.approver.email.toLowerCase() !== input.approverEmail.toLowerCase()) {
          throw ApplicationFailure.create({
            type: 'forbidden',
            message: 'Only the approver can hand this decision over.',
            nonRetryable: true,
          });
        }
        if (input.delegate.email.toLowerCase() === approval.approver.email.toLowerCase()) {
          throw invalid('/delegate/email', 'Hand the decision to someone else.');
        }
      },
    },
  );

  // ---- Calendar ------------------------------------------------------------------------------

  function revisionOf(period: PeriodState): Revision {
    return state.revisions[period.revision - 1]!;
  }

  function planPeriods(signedOn: string): PeriodState[] {
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
  function shiftCalendar(pausedMs: number): void {
    const days = Math.ceil(pausedMs / DAY);
    for (const p of state.periods) if (!p.report) p.due = addDays(p.due, days);
    // Each pending decision gets a fresh link with the moved expiry (a link carries its expiry).
    for (const a of state.pendingApprovals) {
      a.expiresAt = new Date(Date.parse(a.expiresAt) + pausedMs).toISOString();
      a.reminded = false;
      a.resends += 1;
      outbox.push({ type: 'approval', approval: { ...a } });
    }
  }

  /** Does what the calendar asks for now; returns the next instant it will ask for something. */
  function runCalendar(): number | undefined {
    const now = nowMs();
    let next: number | undefined;
    const consider = (at: number) => {
      if (at > now) next = next === undefined ? at : Math.min(next, at);
    };

    for (const approval of state.pendingApprovals) {
      // While suspended, only the decisions that can still be taken are chased.
      if (state.stage === 'suspended' && approval.kind !== 'resume' && approval.kind !== 'terminate')
        continue;
      const remindAt = Date.parse(approval.expiresAt) - ruleSet.approvals.reminderDaysBefore * DAY;
      if (!approval.reminded && now >= remindAt && now < Date.parse(approval.expiresAt)) {
        approval.reminded = true;
        outbox.push({ type: 'approval', approval: { ...approval, reminded: true } });
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
        `${justEnded.map((p) => p.id).join('-')}/report-request`,
        recipients(['unit']),
        'report-request',
        { periods: justEnded },
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
          log(`ladder:${step.id}`, undefined, p.id);
          email(`${p.id}/ladder/${step.id}`, recipients(step.notify), step.template, {
            period: p,
            step,
            daysLate: Math.max(0, Math.floor((now - dueAt) / DAY)),
          });
        }
        if (!p.review && now >= dueAt && !reviewQueue.includes(p.id)) reviewQueue.push(p.id);
      }
      consider(dueAt);
      consider(dueAt + maxLadderOffset * DAY);
    }
    state.late = state.periods.some((p) => p.late && !p.report);
    return next;
  }

  /** The year can be evaluated when every quarter is reviewed and none can still be reported. */
  function readyForEvaluation(): boolean {
    const now = nowMs();
    return (
      state.periods.length > 0 &&
      reviewQueue.length === 0 &&
      state.periods.every((p) => p.review && (p.report || now >= endOfDay(p.due) + maxLadderOffset * DAY))
    );
  }

  function updateSearchAttributes(): void {
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

  // ---- Side effects --------------------------------------------------------------------------

  /**
   * Sends the outbox in order, for the life of the run, apart from the main loop: a mail relay
   * that is down delays the emails (the activity retries) but not the contract's reviews and timers.
   */
  async function sendMail(): Promise<void> {
    for (;;) {
      await condition(() => outbox.length > 0);
      sending = true;
      const message = outbox.shift()!;
      try {
        await send(message);
      } catch (err) {
        // A relay's permanent refusal (e.g. no such mailbox) must not hold up every later message.
        if (!(
          err instanceof ActivityFailure &&
          err.cause instanceof ApplicationFailure &&
          err.cause.type === MAIL_REJECTED
        )) {
          throw err;
        }
        log(
          'email-failed',
          message.type === 'approval' ? message.approval.approver : message.to.map((p) => p.email).join(', '),
          err.cause.message,
        );
      }
      sending = false;
    }
  }

  async function send(message: Outgoing): Promise<void> {
    if (message.type === 'approval') {
      const { approval } = message;
      const terms = state.revisions[approval.revision - 1];
      await requestApproval({
        contract: summary(),
        approval,
        indicators: terms?.indicators ?? [],
        ...(approval.kind === 'sign' && state.signing ? { signing: state.signing } : {}),
        ...(approval.kind === 'signoff' && state.evaluation ? { evaluation: state.evaluation } : {}),
        ...(approval.kind === 'revise' && terms
          ? { previous: state.revisions[state.revision - 1]!.indicators }
          : {}),
      });
      log(
        `email:approval-${approval.kind}${approval.reminded ? '-reminder' : ''}`,
        approval.approver,
        approval.id,
      );
    } else {
      await sendEmail({ key: message.key, to: message.to, template: message.template, data: message.data });
      log(`email:${message.template}`, message.to.map((p) => p.email).join(', '));
    }
  }

  const mailSent = () => outbox.length === 0 && !sending;

  async function vet(): Promise<void> {
    const revision = current();
    const failures = runGuards(ruleSet, revision.indicators);
    state.vetting = { revision: revision.number, at: nowIso(), passed: failures.length === 0, failures };
    log(
      failures.length === 0 ? 'vetting-passed' : 'vetting-failed',
      undefined,
      failures.map((f) => f.guard).join(', '),
    );
    if (failures.length > 0) {
      revision.status = 'failed-vetting';
      state.stage = 'negotiation';
      email(`r${revision.number}/vetting-failed`, everyone(), 'vetting-failed', {
        revision: revision.number,
        failures,
      });
    } else {
      const document = await storeContractDocument({
        contract: { ...summary(), period: state.period, managers: state.managers },
        revision,
      });
      state.signing = { revision: revision.number, url: document.path, sha256: document.sha256 };
      // Terminated or suspended while the document was stored: that decision stands (a suspended
      // contract comes back to vetting when it resumes, and vets again).
      if (state.stage !== 'vetting') return;
      state.stage = 'signing';
      ask('sign', 'principal', `y${state.year}-r${revision.number}-sign-principal`);
      ask('sign', 'unit', `y${state.year}-r${revision.number}-sign-unit`);
    }
    updateSearchAttributes();
  }

  async function review(period: PeriodState): Promise<void> {
    if (period.review) period.superseded.push(period.review);
    const version = period.superseded.length + 1;
    const result = scorePeriod(ruleSet, revisionOf(period).indicators, agreedActuals(period), period.id);
    period.review = { reviewedAt: nowIso(), revision: period.revision, ...result };
    log(
      'reviewed',
      undefined,
      `${period.id}${version > 1 ? ` (v${version})` : ''}: ${result.score} ${result.grade}`,
    );
    updateSearchAttributes();
    const document = await storeReviewDocument({
      contract: summary(),
      period,
      review: period.review,
      version,
    });
    period.review.documentUrl = document.path;
    if (state.stage === 'terminated') return;
    const key = `${period.id}/review${version > 1 ? `-v${version}` : ''}`;
    email(key, everyone(), 'review-published', {
      period,
      review: period.review,
      documentUrl: document.url,
      version,
    });
    for (const escalation of period.review.escalations) {
      email(
        `${key}/escalation/${escalation.id}`,
        recipients(escalation.notify as Recipient[]),
        'escalation',
        {
          period,
          review: period.review,
          escalation,
          documentUrl: document.url,
        },
      );
    }
  }

  async function evaluate(): Promise<void> {
    evaluationStale = false;
    const year = evaluateYear(ruleSet, current().indicators, state.periods);
    const round = state.log.filter((l) => l.event === 'evaluated' && l.year === state.year).length + 1;
    // An older round's sign-off must not sign off this one: withdraw it before anything awaits.
    state.pendingApprovals = state.pendingApprovals.filter((a) => a.kind !== 'signoff');
    state.evaluation = { at: nowIso(), ...year };
    log('evaluated', undefined, `${year.score} ${year.grade}${round > 1 ? ` (round ${round})` : ''}`);
    updateSearchAttributes();
    const document = await storeEvaluationDocument({
      contract: summary(),
      evaluation: state.evaluation,
      periods: state.periods,
      round,
    });
    state.evaluation.documentUrl = document.path;
    // Suspended or terminated meanwhile: a resumed contract evaluates again; a terminated one stops.
    if (state.stage !== 'evaluation') {
      evaluationStale = true;
      return;
    }
    email(`evaluation-${round}`, everyone(), 'evaluation-published', {
      evaluation: state.evaluation,
      documentUrl: document.url,
    });
    ask('signoff', 'principal', `y${state.year}-e${round}-signoff-principal`);
  }

  async function finishYear(): Promise<ContractState> {
    const evaluation = state.evaluation!;
    const finished: YearSummary = {
      year: state.year,
      period: { start: state.period.start, end: state.period.end },
      revision: state.revision,
      score: evaluation.score,
      grade: evaluation.grade,
      indicators: evaluation.indicators,
      reviews: state.periods.map((p) => ({ period: p.id, score: p.review!.score, grade: p.review!.grade })),
      ...(evaluation.documentUrl ? { documentUrl: evaluation.documentUrl } : {}),
      ...(evaluation.signedOff ? { signedOffAt: evaluation.signedOff.at } : {}),
      decisions: state.decisions,
    };
    if (state.renewal === 'none') {
      state.years.push(finished);
      state.stage = 'closed';
      log('closed');
      email('closed', everyone(), 'contract-ended', { outcome: 'closed', evaluation });
      updateSearchAttributes();
      await condition(mailSent);
      return state;
    }
    const start = addDays(state.period.end, 1);
    const next: ContractInput = {
      ...contract,
      period: { ...state.period, start, end: addDays(addMonths(start, 12), -1) },
      indicators: renewIndicators(ruleSet, current().indicators, evaluation.indicators),
    };
    await condition(() => mailSent() && allHandlersFinished());
    // A termination confirmed while the last emails went out ends the contract instead.
    if (state.stage === 'terminated') {
      state.years.push(finished);
      log('terminated', undefined, state.terminated?.reason);
      updateSearchAttributes();
      await condition(() => mailSent() && allHandlersFinished());
      return state;
    }
    log('renewed', undefined, `year ${state.year + 1}: ${start} to ${next.period.end}`);
    return continueAsNew<typeof contractWorkflow>({
      contract: next,
      ruleSet,
      carried: {
        year: state.year + 1,
        years: [...state.years, finished],
        log: state.log,
        createdAt: state.createdAt,
      },
    });
  }

  // ---- Main loop -----------------------------------------------------------------------------

  updateSearchAttributes();
  void sendMail();
  propose(contract.indicators, 'principal', carried ? `Renewal for year ${state.year}` : undefined);

  for (;;) {
    if (state.stage === 'terminated') {
      log('terminated', undefined, state.terminated?.reason);
      updateSearchAttributes();
      await condition(() => mailSent() && allHandlersFinished());
      return state;
    }
    if (state.stage === 'vetting') {
      await vet();
      continue;
    }
    if (reviewQueue.length > 0 && state.stage !== 'suspended') {
      // Off the queue before the review starts: a report or moderation arriving meanwhile queues it again.
      const id = reviewQueue.shift();
      const period = state.periods.find((p) => p.id === id)!;
      await review(period);
      continue;
    }
    if (state.stage === 'evaluation' && (!state.evaluation || evaluationStale)) {
      await evaluate();
      continue;
    }
    if (state.stage === 'evaluation' && state.evaluation?.signedOff) return finishYear();

    const next = runCalendar();
    const reviewsDue = () => reviewQueue.length > 0 && state.stage !== 'suspended';
    if (reviewsDue()) continue;
    if (state.stage === 'active' && readyForEvaluation()) {
      // Targets can no longer change for a period: a mid-year revision still awaiting approval lapses.
      for (const a of state.pendingApprovals.filter((p) => p.kind === 'revise')) {
        state.revisions[a.revision - 1]!.status = 'superseded';
      }
      state.pendingApprovals = state.pendingApprovals.filter((a) => a.kind !== 'revise');
      state.stage = 'evaluation';
      log('evaluation-started');
      continue;
    }
    updateSearchAttributes();
    const seen = changes;
    const stage = state.stage;
    const woken = () => changes !== seen || reviewsDue() || state.stage !== stage;
    if (next === undefined) await condition(woken);
    else await condition(woken, Math.max(1, next - nowMs()));
  }

  function checkUniqueIds(indicators: Indicator[]): void {
    const seen = new Set<string>();
    indicators.forEach((indicator, i) => {
      if (seen.has(indicator.id))
        throw invalid(`/indicators/${i}/id`, `Duplicate indicator id '${indicator.id}'.`);
      seen.add(indicator.id);
    });
  }
}

function checkActuals(
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

function unique(people: Person[]): Person[] {
  return people.filter(
    (p, i) => people.findIndex((o) => o.email.toLowerCase() === p.email.toLowerCase()) === i,
  );
}

function conflict(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'conflict', message, nonRetryable: true });
}

function invalid(pointer: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'invalid',
    message,
    nonRetryable: true,
    details: [{ pointer, message }],
  });
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}
