// The side effects of a contract: email, approval links and review documents. Activities are
// at-least-once, so each is idempotent: Message-IDs and document keys come from the workflow's
// own keys, never from the attempt.
import { planChart, reviewChart, yearCharts, yearsChart } from '../templates/charts.js';
import { reportingPeriods } from '../model/periods.js';
import type { Peers } from '../model/suggestion.js';
import { createHash } from 'node:crypto';
import { heartbeat } from '@temporalio/activity';
import { APPROVAL_ACTIONS, approvalRequestPhrase } from '../model/approval-actions.js';
import { signApprovalToken } from '../model/approval-token.js';
import { signDocumentUrl } from '../model/document-token.js';

import type { ContractPeriod, Indicator, Party, Person } from '../model/contract.js';
import type {
  ContractState,
  Evaluation,
  PendingApproval,
  PeriodState,
  Review,
  Revision,
  SigningDocument,
} from '../model/state.js';
import type { Client } from '@temporalio/client';
import type { BlobStore } from '../store/blobs.js';
import type { ReadModel } from '../store/read-model.js';
import { stateQuery } from '../workflows/messages.js';
import type { Mailer } from './mailer.js';
import type { Templates } from '../templates/index.js';
import type { PortfolioStore } from '../store/portfolio.js';
import { createPortfolioActivities, type PortfolioDeps } from './portfolio.js';

/** How long an emailed document link works. */
const DOCUMENT_LINK_DAYS = 90;
/** Well inside the email activities' heartbeat timeout (workflows/contract/activities.ts). */
const HEARTBEAT_INTERVAL_MS = 2_000;

export type EmailTemplate =
  | 'approval-request'
  | 'decision-receipt'
  | 'decision-rejected'
  | 'vetting-failed'
  | 'contract-signed'
  | 'report-request'
  | 'report-reminder'
  | 'late-notice'
  | 'late-escalation'
  | 'review-published'
  | 'escalation'
  | 'revision-applied'
  | 'evaluation-published'
  | 'contract-suspended'
  | 'contract-ended'
  | 'corrective-action'
  | 'portfolio-review';

export interface ContractSummary {
  id: string;
  title: string;
  year: number;
  unit: Party;
  principal: Party;
  ruleSet: { id: string; version: number; name: string; grades?: string[]; better?: 'higher' | 'lower' };
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
  /** The document being signed (sign). */
  signing?: SigningDocument;
  /** The evaluation being signed off (signoff). */
  evaluation?: Evaluation;
  /** The terms in force, for a mid-year revision's comparison (revise). */
  previous?: Indicator[];
}

export interface ReviewDocumentRequest {
  contract: ContractSummary;
  period: PeriodState;
  review: Review;
  /** 1 for the first review of the period; later ones follow a late report or a moderation. */
  version: number;
}

export interface ContractDocumentRequest {
  contract: ContractSummary & { period: ContractPeriod; managers: Person[] };
  revision: Revision;
}

export interface EvaluationDocumentRequest {
  contract: ContractSummary;
  evaluation: Evaluation;
  periods: PeriodState[];
  round: number;
}

export interface StoredDocument {
  /** Path under the server, e.g. /documents/PC-1/y1-Q1-review.html */
  path: string;
  /** The same, absolute, for emails. */
  url: string;
}

export interface ActivityDeps {
  mailer: Mailer;
  templates: Templates;
  documents: BlobStore;
  publicUrl: string;
  linkSecret: string;
  /** The read model, and the client its projections read each contract's state through. */
  readModel: ReadModel;
  client: Client;
  /** What the portfolio review reads and who it goes to (./portfolio.ts). */
  portfolio: PortfolioStore;
  office: string[];
  scaleOf: PortfolioDeps['scaleOf'];
  /** Each escalation of a rule set version in words, by id (server/ruleset-registry.ts). */
  escalationWordsOf?: (id: string, version: number) => Promise<Record<string, string>>;
}

export function createActivities(deps: ActivityDeps) {
  const { mailer, templates, documents, publicUrl, linkSecret } = deps;

  /** Emailed document links carry a signed, expiring token: their readers have no API token. */
  function documentLink(path: string): string {
    return publicUrl + signDocumentUrl(path, linkSecret, Date.now() + DOCUMENT_LINK_DAYS * 86_400_000);
  }

  /** The PDF beside an emailed HTML document link: the same path ending in .pdf, signed anew. */
  function pdfLinkOf(url: unknown): string | undefined {
    if (typeof url !== 'string') return undefined;
    const path = URL.canParse(url) ? new URL(url).pathname : undefined;
    return path?.startsWith('/documents/') && path.endsWith('.html')
      ? documentLink(path.replace(/\.html$/, '.pdf'))
      : undefined;
  }

  /** Links every email may show beside what the workflow passed: PDFs, the signed copy. */
  function documentLinks(data: Record<string, unknown>): Record<string, string> {
    const links: Record<string, string> = {};
    const pdf = pdfLinkOf(data.documentUrl);
    if (pdf) links.pdfUrl = pdf;
    const signing = data.signing as { url?: unknown } | undefined;
    if (typeof signing?.url === 'string' && signing.url.endsWith('-contract.html')) {
      const copy = signing.url.replace(/-contract\.html$/, '-contract-signed');
      links.signedCopyUrl = documentLink(`${copy}.html`);
      links.signedCopyPdfUrl = documentLink(`${copy}.pdf`);
    }
    return links;
  }

  async function sendEmail(request: EmailRequest): Promise<{ messageId: string; alreadySent: boolean }> {
    const email = templates.email(request.template, {
      ...request.data,
      ...documentLinks(request.data),
      ...(request.template === 'escalation' ? { rule: await escalationRule(request.data) } : {}),
      publicUrl,
    });
    // A slow relay is waited for: heartbeats tell Temporal this attempt is alive, so it is not
    // retried meanwhile, while a worker that died is noticed within the heartbeat timeout.
    const beat = setInterval(() => heartbeat(), HEARTBEAT_INTERVAL_MS);
    try {
      return await mailer.send(request.key, request.to, email);
    } finally {
      clearInterval(beat);
    }
  }

  async function requestApproval(
    request: ApprovalRequest,
  ): Promise<{ messageId: string; alreadySent: boolean }> {
    const { contract, approval } = request;
    const purpose = approval.reminded
      ? 'reminder'
      : approval.delegatedBy
        ? `delegated-${approval.approver.email}`
        : `request-${approval.resends}`;
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
      key: `${contract.id}/approval/${approval.id}/${purpose}`,
      to: [approval.approver],
      template: 'approval-request',
      data: {
        ...request,
        action: APPROVAL_ACTIONS[approval.kind],
        phrase: approvalRequestPhrase(approval.kind, approval.revision, contract.year),
        ...(request.signing ? { documentUrl: documentLink(request.signing.url) } : {}),
        ...(request.evaluation?.documentUrl
          ? { documentUrl: documentLink(request.evaluation.documentUrl) }
          : {}),
        link: `${publicUrl}/approvals/${token}`,
      },
    });
  }

  async function store(key: string, html: string): Promise<StoredDocument> {
    await documents.put(key, html, 'text/html; charset=utf-8');
    return { path: `/documents/${key}`, url: documentLink(`/documents/${key}`) };
  }

  /** The escalations' rules in words; none when the rule set cannot be read now (the document goes out anyway). */
  async function escalationWords(ruleSet: { id: string; version: number }): Promise<Record<string, string>> {
    try {
      return (await deps.escalationWordsOf?.(ruleSet.id, ruleSet.version)) ?? {};
    } catch {
      return {};
    }
  }

  /** An escalation email's rule in words, from the contract's rule set version. */
  async function escalationRule(data: Record<string, unknown>): Promise<string | undefined> {
    const ruleSet = (data.contract as { ruleSet?: { id: string; version: number } } | undefined)?.ruleSet;
    const id = (data.escalation as { id?: string } | undefined)?.id;
    return ruleSet && id ? (await escalationWords(ruleSet))[id] : undefined;
  }

  async function storeReviewDocument(request: ReviewDocumentRequest): Promise<StoredDocument> {
    const { contract, period, version } = request;
    const suffix = version > 1 ? `-v${version}` : '';
    return store(
      `${contract.id}/y${contract.year}-${period.id}-review${suffix}.html`,
      templates.render('documents/review', {
        ...request,
        rules: await escalationWords(contract.ruleSet),
        charts: { progress: await reviewChart(request.review.indicators) },
      }),
    );
  }

  /**
   * The composite of every year of the contract, this one included, when there was a year before:
   * the finished years' summaries come from the read model (they never change once summarised).
   */
  async function yearsOf(request: EvaluationDocumentRequest): Promise<string | undefined> {
    const years = ((await deps.readModel.state(request.contract.id))?.years ?? [])
      .filter((y) => y.year < request.contract.year && y.score !== null)
      .map((y) => ({ year: y.year, score: y.score! }));
    if (years.length === 0 || request.evaluation.score === null) return undefined;
    return yearsChart([...years, { year: request.contract.year, score: request.evaluation.score }]);
  }

  /** The signed terms; their SHA-256 is recorded with each signature. */
  async function storeContractDocument(
    request: ContractDocumentRequest,
  ): Promise<StoredDocument & { sha256: string }> {
    const { contract, revision } = request;
    const html = templates.render('documents/contract', {
      ...request,
      charts: {
        plan: await planChart(revision.indicators, reportingPeriods(contract.period).length),
      },
    });
    const stored = await store(`${contract.id}/y${contract.year}-r${revision.number}-contract.html`, html);
    return { ...stored, sha256: createHash('sha256').update(html).digest('hex') };
  }

  async function storeEvaluationDocument(request: EvaluationDocumentRequest): Promise<StoredDocument> {
    const { contract, round } = request;
    const suffix = round > 1 ? `-r${round}` : '';
    return store(
      `${contract.id}/y${contract.year}-evaluation${suffix}.html`,
      templates.render('documents/evaluation', {
        ...request,
        charts: { ...(await yearCharts(request.periods)), years: await yearsOf(request) },
      }),
    );
  }

  /**
   * Writes a contract's state into the read model. The state is read through the workflow's state
   * query, not passed in: a large state would otherwise weigh on the history at every change. The
   * state read carries its own version, at least `version`; the read model keeps the newest.
   */
  async function projectContract({ id }: { id: string; version: number }): Promise<void> {
    const state = await deps.client.workflow.getHandle(id).query(stateQuery);
    await deps.readModel.project({ ...state, version: state.version ?? 0 });
  }

  /**
   * Writes a contract's state, passed in, into the read model: run as a local activity, whose input
   * stays out of the history, so the state is neither queried nor recorded at each change.
   */
  async function writeProjection(state: ContractState): Promise<void> {
    await deps.readModel.project({ ...state, version: state.version ?? 0 });
  }

  /** The same indicators among other contracts of the category, for suggested targets at renewal. */
  async function peerFigures(input: {
    contract: string;
    category?: string;
    indicators: string[];
  }): Promise<Record<string, Peers>> {
    return input.category ? deps.readModel.peers(input.indicators, input.category, input.contract) : {};
  }

  return {
    ...createPortfolioActivities({
      readModel: deps.readModel,
      portfolio: deps.portfolio,
      templates,
      documents,
      mailer,
      office: deps.office,
      scaleOf: deps.scaleOf,
      documentLink,
      publicUrl,
    }),
    peerFigures,
    sendEmail,
    requestApproval,
    storeReviewDocument,
    storeContractDocument,
    storeEvaluationDocument,
    projectContract,
    writeProjection,
  };
}
