// The portfolio review's side effects (workflows/portfolio): which quarter to review, how far its
// reviews are, and the review itself: computed from the read model, rendered as the portfolio
// document with its charts, recorded in portfolio_reviews, emailed to the office and the managers.
// Idempotent by the workflow's run id: a retried activity rewrites the same version and sends
// nothing twice (Message-IDs come from the run's keys).
import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import type { Person } from '../model/contract.js';
import { MAIL_REJECTED } from '../model/errors.js';
import { quarterBefore, type QuarterRow } from '../model/league.js';
import { portfolioSummary, scaleKey, type PortfolioSummary, type Scale } from '../model/portfolio-review.js';
import type { BlobStore } from '../store/blobs.js';
import type {
  LateReporter,
  OpenCorrectiveAction,
  PortfolioStore,
  Progress,
  QuarterRef,
} from '../store/portfolio.js';
import type { ReadModel } from '../store/read-model.js';
import { portfolioCharts } from '../templates/charts.js';
import type { Templates } from '../templates/index.js';
import type { Mailer } from './mailer.js';

export interface PortfolioDeps {
  readModel: ReadModel;
  portfolio: PortfolioStore;
  templates: Templates;
  documents: BlobStore;
  mailer: Mailer;
  /** The performance office's addresses (COVENANT_OFFICE_EMAIL). */
  office: string[];
  /** A published rule set's direction and grades (versions never change, so it may cache). */
  scaleOf(ruleSetId: string, version: number): Promise<Scale>;
  /** An emailed link to a stored document: signed, expiring. */
  documentLink(path: string): string;
  publicUrl: string;
}

/** A quarter ('Q1'..'Qn') or, with period 'year', the contract-years that began in `year`. */
export interface ReviewTarget extends QuarterRef {
  /** No period comes after it in its contract-year: the annual league table follows. */
  last?: boolean;
}

export interface PublishRequest {
  target: ReviewTarget;
  asOf: string;
  runId: string;
}

export interface PublishedReview {
  year: number;
  period: string;
  version: number;
  document: string;
  complete: boolean;
  ranked: number;
}

export type Summary = PortfolioSummary<LateReporter, OpenCorrectiveAction>;

export function createPortfolioActivities(deps: PortfolioDeps) {
  const { portfolio, readModel } = deps;

  async function rowsOf(target: QuarterRef): Promise<{ rows: QuarterRow[]; before: QuarterRow[] }> {
    if (target.period === 'year') {
      const [rows, before] = await Promise.all([
        portfolio.annual(target.year),
        portfolio.annual(target.year - 1),
      ]);
      return { rows, before };
    }
    const earlier = quarterBefore(target.year, target.period);
    const [rows, before] = await Promise.all([
      readModel.quarter(target.year, target.period),
      readModel.quarter(earlier.year, earlier.period),
    ]);
    return { rows, before };
  }

  async function summarise(target: QuarterRef, asOf: string): Promise<Summary> {
    const { rows, before } = await rowsOf(target);
    const scales = new Map<string, Scale>();
    for (const row of [...rows, ...before]) {
      const key = scaleKey(row.ruleSetId, row.ruleSetVersion);
      if (!scales.has(key)) scales.set(key, await deps.scaleOf(row.ruleSetId, row.ruleSetVersion));
    }
    const annual = target.period === 'year';
    const [late, corrective] = annual
      ? [[], []]
      : await Promise.all([portfolio.lateReporters(target, asOf), portfolio.openCorrectiveActions(asOf)]);
    const progress = annual
      ? { due: rows.length, done: rows.filter((r) => r.grade !== null).length }
      : await portfolio.quarterProgress(target);
    return portfolioSummary({ ...target, asOf, progress, rows, before, scales, late, corrective });
  }

  /** The quarter to review: the one asked for, or the one whose periods ended last before `asOf`. */
  async function portfolioQuarter(input: {
    asOf: string;
    year?: number;
    period?: string;
  }): Promise<ReviewTarget | null> {
    const found =
      input.year !== undefined && input.period
        ? { year: input.year, period: input.period }
        : await portfolio.lastEndedQuarter(input.asOf);
    if (!found) return null;
    return { ...found, last: await portfolio.isLastQuarter(found) };
  }

  /** How many of the target's contracts are due their review (evaluation), and how many have it. */
  async function portfolioProgress(target: ReviewTarget): Promise<Progress> {
    if (target.period !== 'year') return portfolio.quarterProgress(target);
    const rows = await portfolio.annual(target.year);
    return { due: rows.length, done: rows.filter((r) => r.grade !== null).length };
  }

  async function publishPortfolioReview(request: PublishRequest): Promise<PublishedReview> {
    const { target, asOf, runId } = request;
    const summary = await summarise(target, asOf);
    const version = await portfolio.reserve(target, runId);
    const annual = target.period === 'year';
    const name = annual ? `${target.year}-annual-league` : `${target.year}-${target.period}-review`;
    const key = `_portfolio/${name}${version > 1 ? `-v${version}` : ''}.html`;
    const html = deps.templates.render('documents/portfolio', {
      ...summary,
      annual,
      version,
      charts: await portfolioCharts(summary.distribution, summary.movement),
      ranked: summary.tables.reduce((n, t) => n + t.entries.length, 0),
      unranked: summary.tables.reduce((n, t) => n + t.unranked.length, 0),
    });
    await deps.documents.put(key, html, 'text/html; charset=utf-8');
    await portfolio.publish(runId, { complete: summary.complete, document: `/documents/${key}`, summary });
    return {
      year: target.year,
      period: target.period,
      version,
      document: `/documents/${key}`,
      complete: summary.complete,
      ranked: summary.tables.reduce((n, t) => n + t.entries.length, 0),
    };
  }

  /**
   * One email per person: the office gets the whole review; each manager, the lines of their own
   * contracts. A relay's refusal of one address (5xx) is counted and the others still go.
   */
  async function emailPortfolioReview(request: {
    target: ReviewTarget;
    runId: string;
  }): Promise<{ sent: number; refused: string[] }> {
    const { target, runId } = request;
    const record = await portfolio.reviewOfRun(runId);
    if (!record) throw ApplicationFailure.nonRetryable(`No portfolio review was published by run ${runId}`);
    const summary = record.summary as Summary;
    const annual = target.period === 'year';
    const entries = summary.tables.flatMap((t) =>
      t.entries.map((e) => ({ ...e, category: t.category, of: t.entries.length })),
    );
    const late = new Set(summary.late.map((l) => l.id));
    const managers = await portfolio.managersOf(entries.map((e) => e.contract));
    const recipients: { person: Person; lines?: typeof entries; office: boolean }[] = [
      ...deps.office.map((email) => ({ person: { name: 'Performance office', email }, office: true })),
      ...managers
        .filter((m) => !deps.office.includes(m.email))
        .map((m) => ({
          person: { name: m.name, email: m.email },
          lines: entries
            .filter((e) => m.contracts.includes(e.contract))
            .map((e) => ({ ...e, late: late.has(e.contract) })),
          office: false,
        })),
    ];
    const data = {
      ...summary,
      annual,
      version: record.version,
      documentUrl: deps.documentLink(record.document),
      pdfUrl: deps.documentLink(record.document.replace(/\.html$/, '.pdf')),
      ranked: entries.length,
    };
    let sent = 0;
    const refused: string[] = [];
    for (const [i, recipient] of recipients.entries()) {
      heartbeat(i);
      try {
        const email = deps.templates.email('portfolio-review', {
          ...data,
          office: recipient.office,
          lines: recipient.lines,
          publicUrl: deps.publicUrl,
        });
        const result = await deps.mailer.send(
          `portfolio/${target.year}-${target.period}/${runId}/${recipient.person.email}`,
          [recipient.person],
          email,
        );
        if (!result.alreadySent) sent += 1;
      } catch (err) {
        if (err instanceof ApplicationFailure && err.type === MAIL_REJECTED)
          refused.push(recipient.person.email);
        else throw err;
      }
    }
    return { sent, refused };
  }

  return { portfolioQuarter, portfolioProgress, publishPortfolioReview, emailPortfolioReview };
}
