// One performance contract from negotiation to its reviews, as one durable workflow.
// Handlers validate and change state; the main loop does the side effects (emails, documents)
// and waits on durable timers for reminders and due dates.
import {
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { createActivities, EmailTemplate } from '../activities/index.js';
import { DAY, endOfDay, formatDate } from '../model/calendar.js';
import type { Indicator, Person } from '../model/contract.js';
import { hasEnded, reportDueDate, reportingPeriods } from '../model/periods.js';
import type {
  ApprovalKind,
  ContractState,
  PartyRole,
  PendingApproval,
  PeriodState,
  Revision,
} from '../model/state.js';
import { runGuards, scorePeriod } from '../rules/scoring.js';
import { nowIso, nowMs } from './clock.js';
import {
  decideUpdate,
  GRADE,
  NEXT_DUE,
  PERIOD,
  proposeRevisionUpdate,
  SCORE,
  STAGE,
  stateQuery,
  submitReportUpdate,
  UNIT,
  type ContractWorkflowInput,
  type DecisionInput,
  type ProposalInput,
  type ReportInput,
} from './messages.js';

type Activities = ReturnType<typeof createActivities>;

const { sendEmail, requestApproval, storeReviewDocument } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  // Mail relays go down for hours: keep retrying with backoff rather than lose a message.
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '15 minutes' },
});

type Outgoing =
  | { type: 'email'; key: string; to: Person[]; template: EmailTemplate; data: Record<string, unknown> }
  | { type: 'approval'; approval: PendingApproval };

export async function contractWorkflow(input: ContractWorkflowInput): Promise<ContractState> {
  const { contract, ruleSet } = input;
  const state: ContractState = {
    id: contract.id,
    title: contract.title,
    year: 1,
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
    createdAt: nowIso(),
    ...(contract.objectives ? { objectives: contract.objectives } : {}),
    ...(contract.notes ? { notes: contract.notes } : {}),
  };
  const outbox: Outgoing[] = [];
  const reviewQueue: string[] = [];
  const prefix = `${state.id}/y${state.year}`;

  const signatory = (role: PartyRole): Person => (role === 'unit' ? state.unit : state.principal).signatory;
  const other = (role: PartyRole): PartyRole => (role === 'unit' ? 'principal' : 'unit');
  const current = (): Revision => state.revisions[state.revision - 1]!;
  const everyone = (): Person[] => [state.unit.signatory, state.principal.signatory, ...state.managers];

  function propose(indicators: Indicator[], proposedBy: PartyRole, note?: string): number {
    for (const r of state.revisions) if (r.status === 'proposed') r.status = 'superseded';
    state.pendingApprovals = [];
    const number = state.revisions.length + 1;
    state.revisions.push({
      number,
      indicators,
      proposedBy,
      proposedAt: nowIso(),
      status: 'proposed',
      ...(note ? { note } : {}),
    });
    state.revision = number;
    state.stage = 'negotiation';
    ask('agree', other(proposedBy));
    return number;
  }

  function ask(kind: ApprovalKind, role: PartyRole): void {
    const approval: PendingApproval = {
      id: `y${state.year}-r${state.revision}-${kind}-${role}`,
      kind,
      revision: state.revision,
      role,
      approver: signatory(role),
      requestedAt: nowIso(),
      expiresAt: new Date(nowMs() + ruleSet.approvals.expiresAfterDays * DAY).toISOString(),
    };
    state.pendingApprovals.push(approval);
    outbox.push({ type: 'approval', approval });
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
      to,
      template,
      data: { contract: summary(), ...data },
    });
  }

  function summary() {
    return {
      id: state.id,
      title: state.title,
      year: state.year,
      unit: state.unit,
      principal: state.principal,
    };
  }

  setHandler(stateQuery, () => state);

  setHandler(
    proposeRevisionUpdate,
    (proposal) => ({ revision: propose(proposal.indicators, proposal.proposedBy, proposal.note) }),
    {
      validator: (proposal: ProposalInput) => {
        if (state.stage !== 'negotiation') {
          throw conflict(`Revisions can be proposed during negotiation; the contract is in ${state.stage}`);
        }
        checkUniqueIds(proposal.indicators);
      },
    },
  );

  setHandler(
    decideUpdate,
    (input) => {
      const approval = state.pendingApprovals.find((a) => a.id === input.approvalId)!;
      state.pendingApprovals = state.pendingApprovals.filter((a) => a !== approval);
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
      });
      const revision = current();
      if (input.decision === 'reject') {
        revision.status = 'rejected';
        state.pendingApprovals = [];
        state.stage = 'negotiation';
        email(`r${revision.number}/${approval.id}/rejected`, everyone(), 'decision-rejected', {
          approval,
          comment: input.comment ?? '',
          revision: revision.number,
        });
      } else if (approval.kind === 'agree') {
        revision.status = 'agreed';
        state.stage = 'vetting';
      } else if (!state.pendingApprovals.some((a) => a.kind === 'sign')) {
        state.stage = 'active';
        state.signedAt = nowIso();
        state.periods = planPeriods(formatDate(nowMs()));
      }
      updateSearchAttributes();
      return { stage: state.stage, decision: input.decision };
    },
    {
      validator: (input: DecisionInput) => {
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
            message: 'This link was issued to someone else.',
            nonRetryable: true,
          });
        }
        if (nowMs() > Date.parse(approval.expiresAt)) throw conflict('This approval link has expired.');
      },
    },
  );

  setHandler(
    submitReportUpdate,
    (report) => {
      const period = state.periods.find((p) => p.id === report.period)!;
      period.report = {
        actuals: report.actuals,
        submittedAt: nowIso(),
        late: nowMs() >= endOfDay(period.due),
      };
      reviewQueue.push(period.id);
      return { period: period.id, late: period.report.late };
    },
    {
      validator: (report: ReportInput) => {
        if (state.stage !== 'active')
          throw conflict(`Reports are accepted once the contract is active; it is in ${state.stage}.`);
        const period = state.periods.find((p) => p.id === report.period);
        if (!period) {
          throw invalid(
            '/period',
            `Unknown period '${report.period}'; this contract has ${state.periods.map((p) => p.id).join(', ')}.`,
          );
        }
        if (!hasEnded(period, nowMs()))
          throw conflict(`${period.id} ends on ${period.end}; report it after that.`);
        if (period.review) throw conflict(`${period.id} has already been reviewed.`);
        if (period.report) throw conflict(`${period.id} has already been reported.`);
        const known = new Set(current().indicators.map((i) => i.id));
        for (const [id, value] of Object.entries(report.actuals)) {
          if (!known.has(id)) throw invalid(`/actuals/${escapePointer(id)}`, `Unknown indicator '${id}'.`);
          if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) {
            throw invalid(`/actuals/${escapePointer(id)}`, 'Must be a number or null.');
          }
        }
      },
    },
  );

  function planPeriods(signedOn: string): PeriodState[] {
    return reportingPeriods(state.period).map((p) => ({
      ...p,
      due: reportDueDate(p.end, signedOn, state.period.reportDueDays),
      requested: false,
      reminded: false,
    }));
  }

  function updateSearchAttributes(): void {
    const open = state.periods.filter((p) => !p.review);
    const latest = [...state.periods].reverse().find((p) => p.review);
    const currentPeriod = open.find((p) => p.start <= formatDate(nowMs())) ?? latest;
    upsertSearchAttributes([
      { key: STAGE, value: state.stage },
      { key: UNIT, value: state.unit.name },
      { key: PERIOD, value: currentPeriod?.id ?? null },
      { key: SCORE, value: latest?.review?.score ?? null },
      { key: GRADE, value: latest?.review?.grade ?? null },
      { key: NEXT_DUE, value: open[0] ? new Date(endOfDay(open[0].due)) : null },
    ]);
  }

  async function flushOutbox(): Promise<void> {
    while (outbox.length > 0) {
      const message = outbox.shift()!;
      if (message.type === 'approval') {
        const terms = state.revisions[message.approval.revision - 1]!;
        await requestApproval({
          contract: summary(),
          approval: message.approval,
          indicators: terms.indicators,
        });
      } else {
        await sendEmail({ key: message.key, to: message.to, template: message.template, data: message.data });
      }
    }
  }

  function vet(): void {
    const revision = current();
    const failures = runGuards(ruleSet, revision.indicators);
    state.vetting = { revision: revision.number, at: nowIso(), passed: failures.length === 0, failures };
    if (failures.length > 0) {
      revision.status = 'failed-vetting';
      state.stage = 'negotiation';
      email(`r${revision.number}/vetting-failed`, everyone(), 'vetting-failed', {
        revision: revision.number,
        failures,
      });
    } else {
      state.stage = 'signing';
      ask('sign', 'principal');
      ask('sign', 'unit');
    }
    updateSearchAttributes();
  }

  async function review(period: PeriodState): Promise<void> {
    const result = scorePeriod(ruleSet, current().indicators, period.report?.actuals ?? {}, period.id);
    period.review = { reviewedAt: nowIso(), revision: state.revision, ...result };
    updateSearchAttributes();
    const document = await storeReviewDocument({ contract: summary(), period, review: period.review });
    period.review.documentUrl = document.path;
    email(`${period.id}/review`, everyone(), 'review-published', {
      period,
      review: period.review,
      documentUrl: document.url,
    });
    for (const escalation of period.review.escalations) {
      email(`${period.id}/escalation/${escalation.id}`, recipients(escalation.notify), 'escalation', {
        period,
        review: period.review,
        escalation,
        documentUrl: document.url,
      });
    }
  }

  function recipients(notify: string[]): Person[] {
    const people: Person[] = [];
    if (notify.includes('unit')) people.push(state.unit.signatory);
    if (notify.includes('principal')) people.push(state.principal.signatory);
    if (notify.includes('managers')) people.push(...state.managers);
    return people;
  }

  /** Sends what the calendar asks for now; returns the next instant the calendar asks for something. */
  function runCalendar(): number | undefined {
    const now = nowMs();
    const justEnded = state.periods.filter((p) => !p.requested && !p.review && hasEnded(p, now));
    for (const p of justEnded) p.requested = true;
    if (justEnded.length > 0) {
      email(
        `${justEnded.map((p) => p.id).join('-')}/report-request`,
        [state.unit.signatory],
        'report-request',
        {
          periods: justEnded,
        },
      );
    }
    let next: number | undefined;
    const consider = (at: number) => (next = next === undefined ? at : Math.min(next, at));
    for (const p of state.periods) {
      if (p.review || p.report) continue;
      if (!p.requested) {
        consider(endOfDay(p.end));
        continue;
      }
      const dueAt = endOfDay(p.due);
      if (now >= dueAt) {
        if (!reviewQueue.includes(p.id)) reviewQueue.push(p.id);
        continue;
      }
      const remindAt = dueAt - ruleSet.ladder.reminderDaysBefore * DAY;
      if (!p.reminded && now >= remindAt) {
        p.reminded = true;
        email(`${p.id}/reminder`, [state.unit.signatory], 'report-reminder', { period: p });
      } else if (!p.reminded) consider(remindAt);
      consider(dueAt);
    }
    return next;
  }

  updateSearchAttributes();
  propose(contract.indicators, 'principal');

  for (;;) {
    await flushOutbox();
    if (state.stage === 'vetting') {
      vet();
      continue;
    }
    if (state.stage === 'active') {
      const next = runCalendar();
      if (reviewQueue.length > 0) {
        const id = reviewQueue.shift()!;
        const period = state.periods.find((p) => p.id === id)!;
        if (!period.review) await review(period);
        continue;
      }
      if (outbox.length > 0) continue;
      if (state.periods.every((p) => p.review)) {
        state.stage = 'evaluation';
        updateSearchAttributes();
        continue;
      }
      await condition(
        () => reviewQueue.length > 0 || outbox.length > 0,
        Math.max(1, (next ?? nowMs() + DAY) - nowMs()),
      );
      continue;
    }
    const stage = state.stage;
    await condition(() => outbox.length > 0 || state.stage !== stage);
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
