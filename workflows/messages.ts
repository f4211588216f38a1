// The contract workflow's public surface: its name, task queue, Updates and Queries with their
// payloads. The server imports this module and nothing else from workflows/.
import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ContractInput, Indicator, Person } from '../model/contract.js';
import type { CorrectiveAction, InitiativeInput, InitiativeUpdate } from '../model/action-plan.js';
import type { Evidence, Figure } from '../model/report.js';
import type { RuleSet, RuleSetDraft } from '../model/ruleset.js';
import type { RuleSetValidation } from '../rules/ruleset-validation.js';
import type { ContractState, LogEntry, PartyRole, Review, Stage, YearSummary } from '../model/state.js';

export const CONTRACT_WORKFLOW = 'contractWorkflow';
export const TASK_QUEUE = 'covenant';

export interface ContractWorkflowInput {
  contract: ContractInput;
  /** The rule set's content, carried in the workflow so replays never depend on a later edit. */
  ruleSet: RuleSet;
  /** What a renewal carries into the next year's run (continue-as-new): plain JSON only. */
  carried?: CarriedYears;
}

export interface CarriedYears {
  year: number;
  years: YearSummary[];
  log: LogEntry[];
  createdAt: string;
  /** The last read-model version of the year before (absent for renewals recorded before it). */
  version?: number;
}

export interface DecisionInput {
  approvalId: string;
  decision: 'approve' | 'reject';
  comment?: string;
  /** The approver's email as bound into the link. */
  approverEmail: string;
  clientIp?: string;
  userAgent?: string;
}

export interface DecisionResult {
  stage: Stage;
  decision: 'approve' | 'reject';
}

/** Who made an API call, as the server authenticated them, for the contract's record. */
export interface Attributed {
  actor?: string;
}

/**
 * A submission: the period's draft with these figures laid over it is the report. `actuals` (the
 * one-step form) sets figures' numbers; `figures` their numbers and notes.
 */
export interface ReportInput extends Attributed {
  period: string;
  actuals?: Record<string, number | null>;
  figures?: Record<string, Figure>;
  /** Progress of the action plan's initiatives, by id, reported with the figures. */
  plan?: Record<string, InitiativeUpdate>;
}

/** Progress of the action plan outside a report. */
export interface PlanUpdateInput extends Attributed {
  updates: Record<string, InitiativeUpdate>;
}

/** A corrective action added as an initiative of the plan. */
export interface CorrectiveInput extends Attributed {
  action: string;
  initiative: Omit<InitiativeInput, 'status'> & { due: string };
}

export interface CorrectiveCloseInput extends Attributed {
  action: string;
  note?: string;
  evidence?: Evidence[];
}

/** Figures saved into a period's draft, each replacing the one the draft held for its indicator. */
export interface DraftInput extends Attributed {
  period: string;
  figures: Record<string, Figure>;
}

export interface DraftResult {
  period: string;
  /** Indicators still without a number and without an explanation: what submission would refuse. */
  missing: string[];
}

export interface ReportResult {
  period: string;
  late: boolean;
}

export interface ProposalInput extends Attributed {
  proposedBy: PartyRole;
  indicators: Indicator[];
  /** The action plan proposed with the terms; the current one stays when absent. */
  actionPlan?: InitiativeInput[];
  note?: string;
  /** The revision this proposal answers: refused (409) when another was proposed since. */
  basedOn?: number;
}

export interface ProposalResult {
  revision: number;
}

export interface MidYearRevisionInput extends Attributed {
  proposedBy: PartyRole;
  /** New targets by indicator id; indicators not named keep theirs. */
  targets: Record<string, number>;
  justification: string;
}

export interface ModerationInput extends Attributed {
  period: string;
  /** The version of the period's review the manager looked at: refused (409) when it is no longer current. */
  reviewVersion: number;
  by: Person;
  /** Per indicator: the moderated actual (null: not counted) and why. */
  values: Record<string, { actual: number | null; reason: string }>;
}

export interface ModerationResult {
  period: string;
  score: number | null;
  grade: string;
  /** The version of the review that follows this moderation. */
  reviewVersion: number;
}

export type PrincipalAction = 'terminate' | 'suspend' | 'resume';

export interface ActionRequestInput extends Attributed {
  action: PrincipalAction;
  reason: string;
}

export interface ApprovalRequestResult {
  approvalId: string;
  approver: Person;
  expiresAt: string;
}

export interface ResendInput extends Attributed {
  approvalId: string;
}

/** `actor`: who handed the decision over when not the approver (the office, from the contract page). */
export interface DelegationInput extends Attributed {
  approvalId: string;
  /** The approver's email as bound into the link they used. */
  approverEmail: string;
  delegate: Person;
  comment?: string;
}

export const decideUpdate = defineUpdate<DecisionResult, [DecisionInput]>('decide');
export const submitReportUpdate = defineUpdate<ReportResult, [ReportInput]>('submitReport');
export const saveReportDraftUpdate = defineUpdate<DraftResult, [DraftInput]>('saveReportDraft');
export const updateActionPlanUpdate = defineUpdate<{ updated: string[] }, [PlanUpdateInput]>(
  'updateActionPlan',
);
export const addCorrectiveActionUpdate = defineUpdate<CorrectiveAction, [CorrectiveInput]>(
  'addCorrectiveAction',
);
export const closeCorrectiveActionUpdate = defineUpdate<CorrectiveAction, [CorrectiveCloseInput]>(
  'closeCorrectiveAction',
);
export const proposeRevisionUpdate = defineUpdate<ProposalResult, [ProposalInput]>('proposeRevision');
export const proposeMidYearRevisionUpdate = defineUpdate<ProposalResult, [MidYearRevisionInput]>(
  'proposeMidYearRevision',
);
export const moderateUpdate = defineUpdate<ModerationResult, [ModerationInput]>('moderate');
export const requestActionUpdate = defineUpdate<ApprovalRequestResult, [ActionRequestInput]>('requestAction');
export const resendApprovalUpdate = defineUpdate<ApprovalRequestResult, [ResendInput]>('resendApproval');
export const delegateUpdate = defineUpdate<ApprovalRequestResult, [DelegationInput]>('delegate');
export const stateQuery = defineQuery<ContractState>('state');

export type { ContractState, Review };

// Search attributes the contract workflow upserts, so lists and dashboards come from Temporal
// visibility. They must be registered on the namespace (`npm start` does it for the dev server).
export const STAGE = defineSearchAttributeKey('CovenantStage', 'KEYWORD');
export const UNIT = defineSearchAttributeKey('CovenantUnit', 'KEYWORD');
export const PERIOD = defineSearchAttributeKey('CovenantPeriod', 'KEYWORD');
export const SCORE = defineSearchAttributeKey('CovenantScore', 'DOUBLE');
export const GRADE = defineSearchAttributeKey('CovenantGrade', 'KEYWORD');
export const NEXT_DUE = defineSearchAttributeKey('CovenantNextDue', 'DATETIME');
export const LATE = defineSearchAttributeKey('CovenantLate', 'BOOL');
export const YEAR = defineSearchAttributeKey('CovenantYear', 'INT');

export const SEARCH_ATTRIBUTES = [STAGE, UNIT, PERIOD, SCORE, GRADE, NEXT_DUE, LATE, YEAR];

// ---- Rule sets: the ruleSetWorkflow entity (workflows/ruleset.ts) -----------------------------
// One workflow per rule-set id holds its editable draft and its published versions, which never
// change. The server reads them through these Queries and changes them through these Updates only.

export const RULESET_WORKFLOW = 'ruleSetWorkflow';

/** The entity's workflow id: one per rule-set id. */
export function ruleSetWorkflowId(id: string): string {
  return `ruleset:${id}`;
}

export interface PublishedVersion {
  version: number;
  /** The version's content, `version` included; it never changes. */
  ruleSet: RuleSet;
  /** Absent for a built-in rule set's version 1, shipped with Covenant. */
  publishedAt?: string;
  publishedBy?: string;
  /** Under four eyes: the second person, who approved the publication. */
  approvedBy?: string;
  builtIn?: boolean;
  note?: string;
}

export interface RuleSetDraftState {
  /** The draft document, without a version (publishing assigns it). */
  ruleSet: RuleSetDraft;
  /** Counts the saves, so a reader can tell one draft from the next. */
  revision: number;
  savedAt: string;
  savedBy?: string;
  /** A publication asked for under four eyes, awaiting a second person; cleared when the draft changes. */
  publicationRequest?: { by: string; at: string; note?: string };
  /** The version this very draft was published as; cleared when the draft changes. */
  publishedAs?: number;
  /**
   * The draft's validation, its test cases run, as the server found it (off the workflow, in a rule
   * thread) when it was saved; publishing needs it free of errors. Absent for drafts saved before.
   */
  validation?: RuleSetValidation;
}

/** The entity's state: plain JSON, carried whole across continue-as-new. */
export interface RuleSetEntity {
  id: string;
  draft?: RuleSetDraftState;
  versions: PublishedVersion[];
}

export interface RuleSetWorkflowInput {
  id: string;
  /** A built-in rule set of this id: it becomes version 1, so the first publication is version 2. */
  seed?: RuleSet;
  carried?: RuleSetEntity;
  /** History events before continue-as-new (tests lower it). */
  historyLimit?: number;
}

export type VersionSummary = Omit<PublishedVersion, 'ruleSet'> & { name: string };

/** What the entity query returns: the draft whole, the versions without their content. */
export interface RuleSetView {
  id: string;
  draft: RuleSetDraftState | null;
  versions: VersionSummary[];
}

export interface SaveDraftInput {
  ruleSet: RuleSetDraft;
  by?: string;
  /** The draft revision the edit was made from (If-Match): refused (412) when another was saved since. */
  expectedRevision?: number;
  /** Its validation, run by the server in a rule thread (the workflow only records it). */
  validation?: RuleSetValidation;
}

export interface SaveDraftResult {
  id: string;
  revision: number;
  savedAt: string;
  /** A draft may be saved with rule errors and failing tests; publishing it may not. */
  validation: RuleSetValidation;
}

export interface PublishInput {
  by?: string;
  note?: string;
  /**
   * Four eyes (COVENANT_RULESET_FOUR_EYES): the publication was asked for by another person, who
   * is recorded as the publisher; `by` is the one who approves it. Refused without such a request.
   */
  fourEyes?: boolean;
  /** The draft revision the publisher looked at (If-Match): refused (412) when another was saved since. */
  expectedRevision?: number;
}

export interface PublishResult {
  id: string;
  version: number;
  publishedAt: string;
}

export const saveDraftUpdate = defineUpdate<SaveDraftResult, [SaveDraftInput]>('saveDraft');
export const publishUpdate = defineUpdate<PublishResult, [PublishInput]>('publish');
/** Four eyes: asks for the draft's publication, which another person approves (publishUpdate with fourEyes). */
export const requestPublicationUpdate = defineUpdate<{ revision: number }, [PublishInput & { by: string }]>(
  'requestPublication',
);
export const ruleSetQuery = defineQuery<RuleSetView>('ruleSet');
export const ruleSetVersionQuery = defineQuery<PublishedVersion | null, [number]>('ruleSetVersion');

// The portfolio review (workflows/portfolio): one run per quarter, started by the deployment's
// Schedule (cli/portfolio-schedule.ts), by hand through the Schedule, or for a named quarter.
export const PORTFOLIO_REVIEW_WORKFLOW = 'portfolioReviewWorkflow';

/** The Schedule's id, which is also the prefix of its runs' workflow ids: one per task queue. */
export function portfolioScheduleId(taskQueue: string): string {
  return `portfolio-review-${taskQueue}`;
}

export interface PortfolioReviewInput {
  /** A named quarter ('Q1'..'Qn' of the contract-years that began in `year`); else the last one ended. */
  year?: number;
  quarter?: string;
  /** Days from the start to wait at most for the quarter's reviews. */
  cutoffDays: number;
  /** Days after the last quarter's review to wait at most for the year's evaluations. */
  annualCutoffDays: number;
  pollMinutes: number;
}

export interface PortfolioReviewOutcome {
  quarter: { year: number; period: string; version: number; document: string; complete: boolean } | null;
  annual?: { year: number; version: number; document: string; complete: boolean };
}

// Documents as PDF (workflows/documents.ts): printed by headless Chromium on the documents task
// queue, beside the contracts' own queue.
export const DOCUMENT_PDF_WORKFLOW = 'documentPdfWorkflow';

/** The documents task queue that goes with a Covenant task queue. */
export function documentsQueue(taskQueue: string): string {
  return `${taskQueue}-documents`;
}

export interface DocumentPdfInput {
  /** The stored HTML document's key, e.g. PC-1/y1-Q1-review.html. */
  key: string;
}
