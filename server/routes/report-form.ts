// The unit's report in the browser: one form per period, figure by figure (the number, how sure,
// a comment, why it is missing), saved as a draft as often as the unit likes, then submitted.
// The same Updates as the API's (./reports.ts); a figure refused is marked beside its field and
// nothing changes. Evidence files are uploaded through the API for now.
import type { Client } from '@temporalio/client';
import { Router, type Request, type Response } from 'express';
import { CovenantError, type Issue } from '../../model/errors.js';
import type { Figure } from '../../model/report.js';
import { reportingPeriods } from '../../model/periods.js';
import { figuresSchema } from '../../model/report.js';
import { validator } from '../../model/validation.js';
import { saveReportDraftUpdate, submitReportUpdate } from '../../workflows/messages.js';
import { attribution } from '../auth/access.js';
import type { ContractReads } from '../contract-reads.js';
import { statusOf, toCovenantError } from '../errors.js';
import type { Pages } from '../pages.js';

const QUALITIES = ['provisional', 'estimated', 'verified'] as const;
const checkFigures = validator<Record<string, Figure>>(figuresSchema);

export function reportFormRoutes(client: Client, reads: ContractReads, pages: Pages): Router {
  const router = Router();

  router.get('/:id/reports/:period', async (req, res) => {
    await show(req, res, 200);
  });

  router.post('/:id/reports/:period', async (req, res) => {
    const { id, period } = req.params;
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    const submitting = body.action === 'submit';
    let figures: Record<string, Figure>;
    try {
      figures = checkFigures(figuresOf(body));
    } catch (err) {
      if (!(err instanceof CovenantError)) throw err;
      return show(
        req,
        res,
        400,
        body,
        err.issues.map((i) => ({ ...i, pointer: `/figures${i.pointer}` })),
      );
    }
    try {
      const handle = client.workflow.getHandle(id);
      const input = { period, figures, ...attribution(req) };
      if (submitting)
        await reads.change(id, () => handle.executeUpdate(submitReportUpdate, { args: [input] }));
      else await reads.change(id, () => handle.executeUpdate(saveReportDraftUpdate, { args: [input] }));
    } catch (err) {
      const refused = toCovenantError(err);
      if (!refused || statusOf(refused) >= 500) throw err;
      return show(req, res, statusOf(refused), body, refused.issues);
    }
    res.redirect(
      303,
      submitting
        ? `/contracts/${encodeURIComponent(id)}?reported=${encodeURIComponent(period)}`
        : `${req.originalUrl.split('?')[0]}?saved=1`,
    );
  });

  /** The form: the draft's figures, or what was just posted with its refusals beside the fields. */
  async function show(
    req: Request,
    res: Response,
    status: number,
    posted?: Record<string, string | undefined>,
    issues: Issue[] = [],
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
    for (const issue of issues) {
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
      rows: indicators.map((indicator) => {
        const value = (field: keyof Figure) =>
          posted ? (posted[`${field}.${indicator.id}`] ?? '') : stringOf(saved[indicator.id]?.[field]);
        return {
          indicator,
          actual: value('actual'),
          quality: value('quality'),
          comment: value('comment'),
          explanation: value('explanation'),
          errors: Object.fromEntries(
            ['actual', 'quality', 'comment', 'explanation'].map((f) => [
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

/** The form's fields (`actual.<indicator>`, `quality.<indicator>` …) as figures; empty fields left out. */
function figuresOf(body: Record<string, string | undefined>): Record<string, unknown> {
  const figures: Record<string, Record<string, unknown>> = {};
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
