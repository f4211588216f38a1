// The unit's report in the browser: one form per period, figure by figure (the number, how sure,
// a comment, why it is missing), saved as a draft as often as the unit likes, then submitted.
// The same Updates as the API's (./reports.ts); a figure refused is marked beside its field and
// nothing changes. Evidence files ride in the same form (multipart), checked and stored as the
// API's uploads are (./evidence.ts); the action plan's progress goes with the submission, or on
// its own when a draft is saved.
import type { Client } from '@temporalio/client';
import { Router, type Request, type Response } from 'express';
import { CovenantError, type Issue } from '../../model/errors.js';
import type { Figure } from '../../model/report.js';
import { reportingPeriods } from '../../model/periods.js';
import { figuresSchema } from '../../model/report.js';
import { validator } from '../../model/validation.js';
import { formatDate } from '../../model/calendar.js';
import type { BlobStore } from '../../store/blobs.js';
import {
  saveReportDraftUpdate,
  submitReportUpdate,
  updateActionPlanUpdate,
} from '../../workflows/messages.js';
import { resolveEvidence, storeEvidence, type EvidenceRef } from './evidence.js';
import { isPlanIssue, planRows, planUpdatesOf, STATUSES } from './report-form-plan.js';
import { attribution } from '../auth/access.js';
import type { ContractReads } from '../contract-reads.js';
import { statusOf, toCovenantError } from '../errors.js';
import type { Pages } from '../pages.js';

const QUALITIES = ['provisional', 'estimated', 'verified'] as const;
const checkFigures = validator<Record<string, Figure>>(figuresSchema);

/** A file of the form, as the multipart parser gives it. */
export interface UploadedFile {
  fieldname: string;
  originalname: string;
  mimetype: string;
  buffer: Buffer;
}

type Posted = Record<string, string | undefined>;

export function reportFormRoutes(
  client: Client,
  reads: ContractReads,
  pages: Pages,
  documents: BlobStore,
): Router {
  const router = Router();

  router.get('/:id/reports/:period', async (req, res) => {
    await show(req, res, 200);
  });

  router.post('/:id/reports/:period', async (req, res) => {
    const { id, period } = req.params;
    const body = (req.body ?? {}) as Posted;
    const submitting = body.action === 'submit';
    // Files first: stored even when a figure is refused, so the unit does not upload them again.
    const { evidence, issues: fileIssues } = await storeFiles(
      id,
      body,
      (req as unknown as { files?: UploadedFile[] }).files ?? [],
    );
    let figures: Record<string, Figure>;
    try {
      figures = checkFigures(figuresOf(body, evidence));
    } catch (err) {
      if (!(err instanceof CovenantError)) throw err;
      return show(
        req,
        res,
        400,
        body,
        [
          ...fileIssues,
          ...err.issues.map((i) => ({
            pointer: `/figures${i.pointer}`,
            // The schema says "must be number,null"; people typed a word where a number goes.
            message: /\/actual$/.test(i.pointer)
              ? 'A number, e.g. 83.5; or leave it empty and say why it is missing.'
              : i.message,
          })),
        ],
        evidence,
      );
    }
    if (fileIssues.length > 0) return show(req, res, 400, body, fileIssues, evidence);
    const state = await reads.state(id);
    const plan = planUpdatesOf(body, state.actionPlan ?? [], formatDate(Date.now()));
    try {
      const resolved = (await resolveEvidence(documents, id, figures, '/figures'))!;
      const handle = client.workflow.getHandle(id);
      const input = { period, figures: resolved, ...attribution(req) };
      const hasPlan = Object.keys(plan).length > 0;
      if (submitting) {
        await reads.change(id, () =>
          handle.executeUpdate(submitReportUpdate, { args: [{ ...input, ...(hasPlan ? { plan } : {}) }] }),
        );
      } else {
        await reads.change(id, () => handle.executeUpdate(saveReportDraftUpdate, { args: [input] }));
        if (hasPlan)
          await reads.change(id, () =>
            handle.executeUpdate(updateActionPlanUpdate, { args: [{ updates: plan, ...attribution(req) }] }),
          );
      }
    } catch (err) {
      const refused = toCovenantError(err);
      if (!refused || statusOf(refused) >= 500) throw err;
      return show(req, res, statusOf(refused), body, refused.issues, evidence);
    }
    res.redirect(
      303,
      submitting
        ? `/contracts/${encodeURIComponent(id)}?reported=${encodeURIComponent(period)}`
        : `${req.originalUrl.split('?')[0]}?saved=1`,
    );
  });

  /**
   * The evidence each figure keeps: the files it had that stay ticked, and the files just
   * uploaded for it (stored now), by indicator id; a refused file is an issue at its field.
   */
  async function storeFiles(
    id: string,
    body: Posted,
    files: UploadedFile[],
  ): Promise<{ evidence: Map<string, EvidenceRef[]>; issues: Issue[] }> {
    const evidence = new Map<string, EvidenceRef[]>();
    const add = (indicator: string, ref: EvidenceRef) => {
      const refs = evidence.get(indicator) ?? [];
      if (!refs.some((r) => r.sha256 === ref.sha256)) refs.push(ref);
      evidence.set(indicator, refs);
    };
    for (const [name, value] of Object.entries(body)) {
      const kept = /^keep\.(.+)\.([0-9a-f]{64})$/.exec(name);
      if (kept && value) add(kept[1]!, { sha256: kept[2]!, name: value });
    }
    const issues: Issue[] = [];
    for (const file of files) {
      const indicator = /^evidence\.(.+)$/.exec(file.fieldname)?.[1];
      if (!indicator || file.buffer.length === 0) continue;
      try {
        const stored = await storeEvidence(
          documents,
          id,
          file.mimetype,
          file.buffer,
          file.originalname || undefined,
        );
        add(indicator, { sha256: stored.sha256, name: stored.name });
      } catch (err) {
        if (!(err instanceof CovenantError)) throw err;
        issues.push({
          pointer: `/figures/${indicator}/evidence`,
          message: `${file.originalname}: ${err.issues[0]!.message}`,
        });
      }
    }
    return { evidence, issues };
  }

  /** The form: the draft's figures, or what was just posted with its refusals beside the fields. */
  async function show(
    req: Request,
    res: Response,
    status: number,
    posted?: Posted,
    issues: Issue[] = [],
    uploaded?: Map<string, EvidenceRef[]>,
  ): Promise<void> {
    const { id, period: periodId } = req.params as { id: string; period: string };
    const state = await reads.state(id);
    const period = state.periods.find((p) => p.id === periodId);
    // A period of the contract's year not open yet (the contract is not signed): say so.
    if (!period && reportingPeriods(state.period).some((p) => p.id === periodId)) {
      return pages.send(res, 200, 'message', {
        heading: `The ${periodId} report is not open yet`,
        message: `Reports open once the contract is signed; "${state.title}" is in ${state.stage}.`,
        link: { href: `/contracts/${encodeURIComponent(id)}`, text: 'Back to the contract' },
      });
    }
    if (!period)
      throw new CovenantError('not-found', [
        { pointer: '', message: `No period ${periodId} in this contract's year` },
      ]);
    const indicators =
      state.revisions[period.revision - 1]?.indicators ??
      state.revisions[state.revision - 1]?.indicators ??
      [];
    const saved = period.draft?.figures ?? {};
    const errors = new Map<string, string>();
    const general: string[] = [];
    for (const issue of issues.filter((i) => !isPlanIssue(i))) {
      const [, indicator, field] = /^\/figures\/([^/]+)(?:\/([^/]+))?/.exec(issue.pointer) ?? [];
      if (indicator) errors.set(`${field ?? 'actual'}.${decodeURIComponent(indicator)}`, issue.message);
      else general.push(issue.message);
    }
    pages.send(res, status, 'report', {
      contract: state,
      period,
      reported: period.report !== undefined,
      saved: req.query.saved === '1',
      general,
      qualities: QUALITIES,
      statuses: STATUSES,
      plan: planRows(state.actionPlan ?? [], posted, issues),
      rows: indicators.map((indicator) => {
        const value = (field: keyof Figure) =>
          posted ? (posted[`${field}.${indicator.id}`] ?? '') : stringOf(saved[indicator.id]?.[field]);
        return {
          indicator,
          actual: value('actual'),
          quality: value('quality'),
          comment: value('comment'),
          explanation: value('explanation'),
          // The files the figure holds: after a refusal, those kept and just uploaded; else the draft's.
          files: uploaded ? (uploaded.get(indicator.id) ?? []) : (saved[indicator.id]?.evidence ?? []),
          errors: Object.fromEntries(
            ['actual', 'quality', 'comment', 'explanation', 'evidence'].map((f) => [
              f,
              errors.get(`${f}.${indicator.id}`),
            ]),
          ),
        };
      }),
    });
  }

  return router;
}

/**
 * The form's fields (`actual.<indicator>`, `quality.<indicator>` …) as figures, empty fields left
 * out, with each figure's evidence (a figure sent replaces the draft's, so its kept files go too).
 */
function figuresOf(body: Posted, evidence: Map<string, EvidenceRef[]>): Record<string, unknown> {
  const figures: Record<string, Record<string, unknown>> = {};
  for (const [indicator, refs] of evidence) (figures[indicator] ??= {}).evidence = refs;
  for (const [name, raw] of Object.entries(body)) {
    const [, field, indicator] = /^(actual|quality|comment|explanation)\.(.+)$/.exec(name) ?? [];
    const value = raw?.trim();
    if (!field || !indicator || !value) continue;
    const figure = (figures[indicator] ??= {});
    // A number as people type it (83.5, 1 234, 1,234): anything else is the schema's to refuse.
    figure[field] =
      field === 'actual' && /^-?[\d\s,]*\.?\d+$/.test(value) ? Number(value.replace(/[\s,]/g, '')) : value;
  }
  return figures;
}

function stringOf(value: unknown): string {
  return typeof value === 'number' || typeof value === 'string' ? String(value) : '';
}
