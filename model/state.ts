// A contract's state as its workflow holds it and the API returns it. Plain JSON throughout:
// it is carried across continue-as-new and replayed from history.
import type { ContractInput, Indicator, Party, Person, RuleSetRef } from './contract.js';
import type { CorrectiveAction, Initiative, InitiativeInput, PlanReview } from './action-plan.js';
import type { FigureNote, ReportDraft } from './report.js';

export type Stage =
  'negotiation' | 'vetting' | 'signing' | 'active' | 'evaluation' | 'suspended' | 'closed' | 'terminated';
export type PartyRole = 'principal' | 'unit';

export interface Revision {
  number: number;
  indicators: Indicator[];
  proposedBy: PartyRole;
  proposedAt: string;
  note?: string;
  /** 'negotiation': terms of the year; 'mid-year': changed targets after Q2, with a justification. */
  kind: 'negotiation' | 'mid-year';
  status: 'proposed' | 'agreed' | 'rejected' | 'superseded' | 'failed-vetting' | 'signed';
  /** Its indicators are no longer held (the state is bounded; the workflow history keeps them). */
  compacted?: { indicators: number };
  /** The action plan proposed with these terms; absent when none was. */
  actionPlan?: InitiativeInput[];
}

/**
 * agree: the other party agrees to a proposed revision; sign: both sign vetted terms; revise: both
 * approve a mid-year revision; signoff: the principal signs off the annual evaluation; terminate,
 * suspend, resume: the principal confirms a request made through the API.
 */
export type ApprovalKind = 'agree' | 'sign' | 'revise' | 'signoff' | 'terminate' | 'suspend' | 'resume';

export interface PendingApproval {
  /** Unique within the contract, e.g. "y1-r2-sign-unit"; bound to one revision. */
  id: string;
  kind: ApprovalKind;
  revision: number;
  role: PartyRole;
  approver: Person;
  requestedAt: string;
  expiresAt: string;
  /** How many fresh links were sent after the first (POST .../approvals/:id/resend). */
  resends: number;
  /** When the latest resends were asked for (the last five): resends are limited per approval. */
  resentAt?: string[];
  reminded: boolean;
  /** Why the decision is asked for (termination or suspension reason). */
  reason?: string;
  /** The one who handed this decision over, when it was delegated. */
  delegatedBy?: Person;
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
  /** SHA-256 of the contract document signed, for signatures. */
  documentSha256?: string;
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
  /** Comments, data quality, evidence and explanations, by indicator; absent when none was given. */
  notes?: Record<string, FigureNote>;
}

export interface Moderation {
  indicator: string;
  from: number | null;
  to: number | null;
  reason: string;
  by: Person;
  at: string;
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
  /** What the quarter's actual was compared with (phased targets); absent in reviews before phasing. */
  periodTarget?: number;
  /** A cumulative indicator's actuals of the year so far; else the actual. Absent before phasing. */
  actualToDate?: number | null;
  /** Null when the rule set could not score the indicator (the review's `problems` say why). */
  score: number | null;
  weightedScore: number | null;
}

export interface Escalation {
  id: string;
  severity: 'low' | 'medium' | 'high';
  message: string;
  notify: string[];
  /** Why it fired: the rule's run in words, one step a line (rules/why.ts). */
  why?: string[];
  /** Days the unit has to add a corrective action, when the rule asks for one. */
  corrective?: { withinDays: number };
}

export interface Review {
  reviewedAt: string;
  revision: number;
  /** 1 for a period's first review, one more for each that replaced it (a late report, a moderation). */
  version?: number;
  /** Null when the rule set could not score the period: the grade is then "Not scored". */
  score: number | null;
  grade: string;
  /** What the rule set could not do for this period; absent when it scored everything. */
  problems?: string[];
  /** A replaced review whose indicators are no longer held (the state is bounded). */
  compacted?: boolean;
  indicators: IndicatorScore[];
  missing: string[];
  escalations: Escalation[];
  documentUrl?: string;
  /** The action plan as this review found it; absent when the contract has none. */
  plan?: PlanReview;
}

export interface PeriodState {
  id: string;
  start: string;
  end: string;
  due: string;
  /** The revision whose targets this period is scored against. */
  revision: number;
  requested: boolean;
  /** Ids of the ladder steps already sent. */
  ladder: string[];
  late: boolean;
  report?: Report;
  /** What the unit saved but has not submitted; gone once submitted. */
  draft?: ReportDraft;
  moderations: Moderation[];
  review?: Review;
  /** Earlier reviews of this period, replaced by a late report or a moderation. */
  superseded: Review[];
}

export interface IndicatorYear {
  id: string;
  name: string;
  unit?: string;
  direction: Indicator['direction'];
  baseline: number;
  target: number;
  weight: number;
  aggregation: string;
  /** The year value from the agreed quarterly actuals; null when none was reported. */
  actual: number | null;
  score: number | null;
}

export interface Evaluation {
  at: string;
  score: number | null;
  grade: string;
  indicators: IndicatorYear[];
  documentUrl?: string;
  signedOff?: { by: Person; at: string };
}

/** What stays readable of a finished year. */
export interface YearSummary {
  year: number;
  period: { start: string; end: string };
  revision: number;
  score: number | null;
  grade: string;
  indicators: IndicatorYear[];
  reviews: { period: string; score: number | null; grade: string }[];
  documentUrl?: string;
  signedOffAt?: string;
  /** The year's decisions, signatures included, as they were recorded. */
  decisions?: Decision[];
}

export interface SigningDocument {
  revision: number;
  /** The HTML document's path. */
  url: string;
  /** What the signatures record: the PDF's SHA-256 when there is a PDF, else the HTML's. */
  sha256: string;
  /** The PDF's path (contracts vetted since PDFs, where a worker has Chromium). */
  pdf?: string;
}

/** One line of the contract's own record: what happened, when, by whom. */
export interface LogEntry {
  /** Numbers the lines of a contract's record, once, across years (the read model appends by it). */
  seq?: number;
  at: string;
  year: number;
  event: string;
  by?: string;
  detail?: string;
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
  signing?: SigningDocument;
  signedAt?: string;
  periods: PeriodState[];
  /** Some period's report is overdue past the ladder's late flag. */
  late: boolean;
  evaluation?: Evaluation;
  suspended?: { since: string; reason: string; stage: Stage };
  terminated?: { at: string; reason: string };
  renewal: 'automatic' | 'none';
  years: YearSummary[];
  log: LogEntry[];
  createdAt: string;
  /** Counts the projections of this state into the read model (stamped on each, carried across years). */
  version?: number;
  objectives?: string[];
  notes?: string;
  /** The kind of unit (ContractInput.category). */
  category?: string;
  /** The action plan in force since signing, as the unit updates it; absent when none was agreed. */
  actionPlan?: Initiative[];
  /** Corrective actions escalations asked for this year. */
  correctiveActions?: CorrectiveAction[];
}
