// The contract workflow's public surface: its name, task queue, Updates and Queries with their
// payloads. The server imports this module and nothing else from workflows/.
import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ContractInput, Indicator, Person } from '../model/contract.js';
import type { RuleSet } from '../model/ruleset.js';
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

export interface ReportInput {
  period: string;
  actuals: Record<string, number | null>;
}

export interface ReportResult {
  period: string;
  late: boolean;
}

export interface ProposalInput {
  proposedBy: PartyRole;
  indicators: Indicator[];
  note?: string;
}

export interface ProposalResult {
  revision: number;
}

export interface MidYearRevisionInput {
  proposedBy: PartyRole;
  /** New targets by indicator id; indicators not named keep theirs. */
  targets: Record<string, number>;
  justification: string;
}

export interface ModerationInput {
  period: string;
  by: Person;
  /** Per indicator: the moderated actual (null: not counted) and why. */
  values: Record<string, { actual: number | null; reason: string }>;
}

export interface ModerationResult {
  period: string;
  score: number;
  grade: string;
}

export type PrincipalAction = 'terminate' | 'suspend' | 'resume';

export interface ActionRequestInput {
  action: PrincipalAction;
  reason: string;
}

export interface ApprovalRequestResult {
  approvalId: string;
  approver: Person;
  expiresAt: string;
}

export interface ResendInput {
  approvalId: string;
}

export interface DelegationInput {
  approvalId: string;
  /** The approver's email as bound into the link they used. */
  approverEmail: string;
  delegate: Person;
  comment?: string;
}

export const decideUpdate = defineUpdate<DecisionResult, [DecisionInput]>('decide');
export const submitReportUpdate = defineUpdate<ReportResult, [ReportInput]>('submitReport');
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
