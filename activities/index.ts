// The side effects of a contract: email, approval links and review documents. Activities are
// at-least-once, so each is idempotent: Message-IDs and document keys come from the workflow's
// own keys, never from the attempt.
import { signApprovalToken } from '../model/approval-token.js';
import type { Indicator, Party, Person } from '../model/contract.js';
import type { PendingApproval, PeriodState, Review } from '../model/state.js';
import type { DocumentStore } from './documents.js';
import type { Mailer } from './mailer.js';
import type { Templates } from '../templates/index.js';

export type EmailTemplate =
  | 'approval-request'
  | 'decision-rejected'
  | 'vetting-failed'
  | 'report-request'
  | 'report-reminder'
  | 'review-published'
  | 'escalation';

export interface ContractSummary {
  id: string;
  title: string;
  year: number;
  unit: Party;
  principal: Party;
}

export interface EmailRequest {
  /** Unique and stable per message: the Message-ID is derived from it. */
  key: string;
  to: Person[];
  template: EmailTemplate;
  data: Record<string, unknown>;
}

export interface ApprovalRequest {
  contract: ContractSummary;
  approval: PendingApproval;
  indicators: Indicator[];
}

export interface ReviewDocumentRequest {
  contract: ContractSummary;
  period: PeriodState;
  review: Review;
}

export interface ActivityDeps {
  mailer: Mailer;
  templates: Templates;
  documents: DocumentStore;
  publicUrl: string;
  linkSecret: string;
}

export function createActivities(deps: ActivityDeps) {
  const { mailer, templates, documents, publicUrl, linkSecret } = deps;

  async function sendEmail(request: EmailRequest): Promise<{ messageId: string }> {
    const email = templates.email(request.template, { ...request.data, publicUrl });
    return { messageId: await mailer.send(request.key, request.to, email) };
  }

  async function requestApproval(request: ApprovalRequest): Promise<{ messageId: string }> {
    const { contract, approval } = request;
    const token = signApprovalToken(
      {
        contractId: contract.id,
        approvalId: approval.id,
        revision: approval.revision,
        approver: approval.approver.email,
        expiresAt: Date.parse(approval.expiresAt),
      },
      linkSecret,
    );
    return sendEmail({
      key: `${contract.id}/approval/${approval.id}`,
      to: [approval.approver],
      template: 'approval-request',
      data: { contract, approval, indicators: request.indicators, link: `${publicUrl}/approvals/${token}` },
    });
  }

  async function storeReviewDocument(request: ReviewDocumentRequest): Promise<{ path: string; url: string }> {
    const { contract, period, review } = request;
    const html = templates.render('documents/review', { contract, period, review });
    const key = await documents.put(`${contract.id}/y${contract.year}-${period.id}-review.html`, html);
    return { path: `/documents/${key}`, url: `${publicUrl}/documents/${key}` };
  }

  return { sendEmail, requestApproval, storeReviewDocument };
}
