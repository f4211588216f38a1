// The contract workflow's public surface: its name, task queue, Updates and Queries with their
// payloads. The server imports this module and nothing else from workflows/.
import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ContractInput, Indicator } from '../model/contract.js';
import type { RuleSet } from '../model/ruleset.js';
import type { ContractState, PartyRole, Review, Stage } from '../model/state.js';

export const CONTRACT_WORKFLOW = 'contractWorkflow';
export const TASK_QUEUE = 'covenant';

export interface ContractWorkflowInput {
  contract: ContractInput;
  /** The rule set's content, carried in the workflow so replays never depend on a later edit. */
  ruleSet: RuleSet;
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

export const decideUpdate = defineUpdate<DecisionResult, [DecisionInput]>('decide');
export const submitReportUpdate = defineUpdate<ReportResult, [ReportInput]>('submitReport');
export const proposeRevisionUpdate = defineUpdate<ProposalResult, [ProposalInput]>('proposeRevision');
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

export const SEARCH_ATTRIBUTES = [STAGE, UNIT, PERIOD, SCORE, GRADE, NEXT_DUE];
