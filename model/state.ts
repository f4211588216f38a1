// A contract's state as its workflow holds it and the API returns it. Plain JSON throughout:
// it is carried across continue-as-new and replayed from history.
import type { ContractInput, Indicator, Party, Person, RuleSetRef } from './contract.js';

export type Stage = 'negotiation' | 'vetting' | 'signing' | 'active' | 'evaluation' | 'closed' | 'terminated';
export type PartyRole = 'principal' | 'unit';

export interface Revision {
  number: number;
  indicators: Indicator[];
  proposedBy: PartyRole;
  proposedAt: string;
  note?: string;
  status: 'proposed' | 'agreed' | 'rejected' | 'superseded' | 'failed-vetting';
}

export type ApprovalKind = 'agree' | 'sign';

export interface PendingApproval {
  /** Unique within the contract, e.g. "y1-r2-sign-unit"; bound to one revision. */
  id: string;
  kind: ApprovalKind;
  revision: number;
  role: PartyRole;
  approver: Person;
  requestedAt: string;
  expiresAt: string;
}

export interface Decision {
  approvalId: string;
  kind: ApprovalKind;
  revision: number;
  role: PartyRole;
  decision: 'approve' | 'reject';
  comment?: string;
  by: Person;
  at: string;
  clientIp?: string;
  userAgent?: string;
}

export interface GuardFailure {
  guard: string;
  message: string;
  /** JSON pointer into the revision's terms, e.g. /indicators/2 */
  pointer: string;
}

export interface Vetting {
  revision: number;
  at: string;
  passed: boolean;
  failures: GuardFailure[];
}

export interface Report {
  actuals: Record<string, number | null>;
  submittedAt: string;
  late: boolean;
}

export interface IndicatorScore {
  id: string;
  name: string;
  unit?: string;
  direction: Indicator['direction'];
  baseline: number;
  target: number;
  weight: number;
  actual: number | null;
  score: number;
  weightedScore: number;
}

export interface Escalation {
  id: string;
  severity: 'low' | 'medium' | 'high';
  message: string;
  notify: string[];
}

export interface Review {
  reviewedAt: string;
  revision: number;
  score: number;
  grade: string;
  indicators: IndicatorScore[];
  missing: string[];
  escalations: Escalation[];
  documentUrl?: string;
}

export interface PeriodState {
  id: string;
  start: string;
  end: string;
  due: string;
  requested: boolean;
  reminded: boolean;
  report?: Report;
  review?: Review;
}

export interface ContractState {
  id: string;
  title: string;
  year: number;
  stage: Stage;
  principal: Party;
  unit: Party;
  managers: Person[];
  period: ContractInput['period'];
  ruleSet: RuleSetRef;
  /** The current revision's number; revisions[revision - 1] holds its terms. */
  revision: number;
  revisions: Revision[];
  pendingApprovals: PendingApproval[];
  decisions: Decision[];
  vetting?: Vetting;
  signedAt?: string;
  periods: PeriodState[];
  createdAt: string;
  objectives?: string[];
  notes?: string;
}
