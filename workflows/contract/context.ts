// What every room of the contract workflow shares: the contract's state (plain JSON, what the
// state query returns), the mail queue, the review queue, and the small helpers that record,
// address and ask. One context per run; handlers and the main loop change it in place.
import type { EmailTemplate } from '../../activities/index.js';
import { DAY } from '../../model/calendar.js';
import type { ContractInput, Person } from '../../model/contract.js';
import type { Recipient, RuleSet } from '../../model/ruleset.js';
import type {
  ApprovalKind,
  ContractState,
  PartyRole,
  PendingApproval,
  PeriodState,
  Revision,
} from '../../model/state.js';
import { nowIso, nowMs } from '../clock.js';
import type { ContractWorkflowInput } from '../messages.js';

/** A message waiting in the contract's mail queue (./mail.ts sends them in order). */
export type Outgoing =
  | { type: 'email'; key: string; to: Person[]; template: EmailTemplate; data: Record<string, unknown> }
  | { type: 'approval'; approval: PendingApproval };

export interface ContractContext {
  readonly contract: ContractInput;
  readonly ruleSet: RuleSet;
  readonly state: ContractState;
  /** The mail queue, sent in order apart from the main loop. */
  readonly outbox: Outgoing[];
  /** Periods waiting for a review, in order. */
  readonly reviewQueue: string[];
  /** The evaluation must run again (a moderation, or a suspension during it). */
  evaluationStale: boolean;
  /** A message is being sent right now. */
  sending: boolean;
  /** Counts the changes people made, so the main loop wakes for each. */
  changes: number;
  /** Prefix of every email key of this year: `<contract id>/y<year>`. */
  readonly prefix: string;
  /** The latest ladder step after a due date, in days. */
  readonly maxLadderOffset: number;
  /** Whether this run stopped upserting search attributes (./search-attributes.ts). */
  searchAttributesRetired?: boolean;
  /** The read model's projection (./projection.ts). */
  readonly projection: {
    enabled?: boolean;
    local?: boolean;
    /** The state's JSON as last marked for projection. */
    written?: string;
    due: boolean;
    running: boolean;
  };
}

export function createContext(input: ContractWorkflowInput): ContractContext {
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
    version: carried?.version ?? 0,
    ...(contract.objectives ? { objectives: contract.objectives } : {}),
    ...(contract.notes ? { notes: contract.notes } : {}),
    ...(contract.category ? { category: contract.category } : {}),
  };
  // Lines carried from a year recorded before lines were numbered get their numbers now.
  state.log.forEach((line, i) => (line.seq ??= i + 1));
  return {
    contract,
    ruleSet,
    state,
    outbox: [],
    reviewQueue: [],
    evaluationStale: false,
    sending: false,
    changes: 0,
    prefix: `${state.id}/y${state.year}`,
    maxLadderOffset: Math.max(0, ...ruleSet.ladder.steps.map((s) => s.offsetDays)),
    projection: { due: false, running: false },
  };
}

export function signatory(ctx: ContractContext, role: PartyRole): Person {
  return (role === 'unit' ? ctx.state.unit : ctx.state.principal).signatory;
}

export function otherParty(role: PartyRole): PartyRole {
  return role === 'unit' ? 'principal' : 'unit';
}

/** The revision in force (or under negotiation). */
export function currentRevision(ctx: ContractContext): Revision {
  return ctx.state.revisions[ctx.state.revision - 1]!;
}

/** The revision whose targets a period is scored against. */
export function revisionOf(ctx: ContractContext, period: PeriodState): Revision {
  return ctx.state.revisions[period.revision - 1]!;
}

/** Both signatories and the managers. */
export function everyone(ctx: ContractContext): Person[] {
  const { state } = ctx;
  return [state.unit.signatory, state.principal.signatory, ...state.managers];
}

/** What documents and emails say about the contract. */
export function summary(ctx: ContractContext) {
  const { state, ruleSet } = ctx;
  return {
    id: state.id,
    title: state.title,
    year: state.year,
    unit: state.unit,
    principal: state.principal,
    ruleSet: {
      ...state.ruleSet,
      name: ruleSet.name,
      // The scale, for documents' legends: grades best first, and which way the composite is better.
      ...(ruleSet.scoring.grades ? { grades: ruleSet.scoring.grades } : {}),
      ...(ruleSet.scoring.better ? { better: ruleSet.scoring.better } : {}),
    },
  };
}

/** One line in the contract's own record. */
export function log(ctx: ContractContext, event: string, by?: Person | string, detail?: string): void {
  const who = typeof by === 'string' ? by : by ? `${by.name} <${by.email}>` : undefined;
  const last = ctx.state.log.at(-1);
  ctx.state.log.push({
    seq: (last?.seq ?? ctx.state.log.length) + 1,
    at: nowIso(),
    year: ctx.state.year,
    event,
    ...(who ? { by: who } : {}),
    ...(detail ? { detail } : {}),
  });
}

/** Queues an email; `key` (unique in the year) fixes its Message-ID. */
export function email(
  ctx: ContractContext,
  key: string,
  to: Person[],
  template: EmailTemplate,
  data: Record<string, unknown> = {},
): void {
  ctx.outbox.push({
    type: 'email',
    key: `${ctx.prefix}/${key}`,
    to: unique(to),
    template,
    data: { contract: summary(ctx), ...data },
  });
}

/** The people a rule set's `notify` list names. */
export function recipients(ctx: ContractContext, notify: Recipient[]): Person[] {
  const { state } = ctx;
  const people: Person[] = [];
  if (notify.includes('unit'))
    people.push(...(state.unit.contacts?.length ? state.unit.contacts : [state.unit.signatory]));
  if (notify.includes('unit-head')) people.push(state.unit.signatory);
  if (notify.includes('principal')) people.push(state.principal.signatory);
  if (notify.includes('managers')) people.push(...state.managers);
  return people;
}

/** Asks a party's signatory for a decision by emailed link. */
export function ask(
  ctx: ContractContext,
  kind: ApprovalKind,
  role: PartyRole,
  id: string,
  options: { reason?: string; revision?: number } = {},
): PendingApproval {
  const { reason, revision } = options;
  const approval: PendingApproval = {
    id,
    kind,
    revision: revision ?? ctx.state.revision,
    role,
    approver: signatory(ctx, role),
    requestedAt: nowIso(),
    expiresAt: new Date(nowMs() + ctx.ruleSet.approvals.expiresAfterDays * DAY).toISOString(),
    resends: 0,
    reminded: false,
    ...(reason ? { reason } : {}),
  };
  ctx.state.pendingApprovals.push(approval);
  ctx.outbox.push({ type: 'approval', approval: { ...approval } });
  return approval;
}

/** The next id of a decision asked for more than once a year (sign-offs, terminations...). */
export function sequenceId(ctx: ContractContext, kind: ApprovalKind): string {
  const { state } = ctx;
  const n = [...state.decisions, ...state.pendingApprovals].filter((a) => a.kind === kind).length;
  return `y${state.year}-${kind}-${n + 1}`;
}

function unique(people: Person[]): Person[] {
  return people.filter(
    (p, i) => people.findIndex((o) => o.email.toLowerCase() === p.email.toLowerCase()) === i,
  );
}
