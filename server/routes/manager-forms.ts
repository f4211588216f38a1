// The principal's side of a contract in the browser: moderating a review, asking to suspend,
// resume or terminate, resending or handing over a pending approval, proposing a mid-year revision
// with its diff shown first, and the contract's record. Each form posts the same Updates as the
// API (./lifecycle.ts); a refusal is shown beside its field and nothing changes.
import type { Client } from '@temporalio/client';
import { Router, type Request, type Response } from 'express';
import type { Issue } from '../../model/errors.js';
import { describeDiff, diffIndicators } from '../../model/revision-diff.js';
import { reportingPeriods } from '../../model/periods.js';
import type { Indicator } from '../../model/contract.js';
import type { PeriodState } from '../../model/state.js';
import { withSuggestionsFor } from '../suggestions.js';
import {
  delegateUpdate,
  moderateUpdate,
  proposeMidYearRevisionUpdate,
  proposeRevisionUpdate,
  requestActionUpdate,
  resendApprovalUpdate,
  type PrincipalAction,
} from '../../workflows/messages.js';
import { attribution, principalOf } from '../auth/access.js';
import type { ContractReads } from '../contract-reads.js';
import { statusOf, toCovenantError } from '../errors.js';
import type { Pages } from '../pages.js';
import { fieldErrors } from '../form-values.js';

type Body = Record<string, string | undefined>;

const ACTIONS: Record<PrincipalAction, { title: string; button: string; explain: string }> = {
  suspend: {
    title: 'Ask to suspend this contract',
    button: 'Ask to suspend',
    explain: 'Reporting and reviews pause once the principal confirms by the emailed link.',
  },
  resume: {
    title: 'Ask to resume this contract',
    button: 'Ask to resume',
    explain: 'Reporting picks up where it stopped once the principal confirms by the emailed link.',
  },
  terminate: {
    title: 'Ask to terminate this contract',
    button: 'Ask to terminate',
    explain: 'The contract ends for good once the principal confirms by the emailed link.',
  },
};

/** Audit lines per page of the record. */
const RECORD_PAGE = 200;

export function managerFormRoutes(client: Client, reads: ContractReads, pages: Pages): Router {
  const router = Router();
  const handle = (id: string) => client.workflow.getHandle(id);
  const back = (id: string, notice: string) =>
    `/contracts/${encodeURIComponent(id)}?done=${encodeURIComponent(notice)}`;

  /** Runs a change; a refusal the person can act on is shown by `again`, anything else rethrown. */
  async function attempt(
    run: () => Promise<unknown>,
    again: (status: number, issues: Issue[]) => Promise<void>,
  ) {
    try {
      await run();
      return true;
    } catch (err) {
      const refused = toCovenantError(err);
      if (!refused || statusOf(refused) >= 500) throw err;
      await again(statusOf(refused), refused.issues);
      return false;
    }
  }

  // Moderation: a new value and a reason per indicator, against the review version shown.
  router.get('/:id/moderate/:period', (req, res) => showModeration(req, res, 200));
  router.post('/:id/moderate/:period', async (req, res) => {
    const { id, period } = req.params;
    const body = (req.body ?? {}) as Body;
    const person = personOf(req);
    const values: Record<string, { actual: number | null; reason: string }> = {};
    const issues: Issue[] = [];
    for (const [name, raw] of Object.entries(body)) {
      const indicator = /^actual\.(.+)$/.exec(name)?.[1];
      const typed = raw?.trim();
      if (!indicator || !typed) continue;
      const actual = typed.toLowerCase() === 'missing' ? null : Number(typed.replace(/[\s,]/g, ''));
      if (actual !== null && !Number.isFinite(actual))
        issues.push({ pointer: `/values/${indicator}/actual`, message: 'A number, or "missing".' });
      values[indicator] = { actual, reason: body[`reason.${indicator}`]?.trim() ?? '' };
    }
    if (!person)
      issues.push({ pointer: '', message: 'Sign in as a person to moderate: the record names who did.' });
    if (Object.keys(values).length === 0 && issues.length === 0)
      issues.push({ pointer: '', message: 'Give a new value, with its reason, for at least one indicator.' });
    if (issues.length > 0) return showModeration(req, res, 400, body, issues);
    const input = {
      period,
      reviewVersion: Number(body.reviewVersion),
      by: person!,
      values,
      ...attribution(req),
    };
    const done = await attempt(
      () => reads.change(id, () => handle(id).executeUpdate(moderateUpdate, { args: [input] })),
      (status, refusal) => showModeration(req, res, status, body, refusal),
    );
    if (done) res.redirect(303, back(id, 'moderated'));
  });

  async function showModeration(
    req: Request,
    res: Response,
    status: number,
    posted?: Body,
    issues: Issue[] = [],
  ) {
    const { id, period: periodId } = req.params as { id: string; period: string };
    const state = await reads.state(id);
    const period = state.periods.find((p) => p.id === periodId);
    if (!period?.review) {
      // A period of the year not reviewed yet is a page that says so; an unknown one is not found.
      const known = reportingPeriods(state.period).some((p) => p.id === periodId);
      return pages.send(res, known ? 200 : 404, 'message', {
        heading: `No ${periodId} review to moderate`,
        message: known
          ? 'A period is moderated once it has been reviewed.'
          : `No period ${periodId} in this contract's year.`,
        link: { href: `/contracts/${encodeURIComponent(id)}`, text: 'Back to the contract' },
        bad: true,
      });
    }
    const errors = fieldErrors(issues, /^\/values\/([^/]+)\/(actual|reason)$/);
    pages.send(res, status, 'moderate', {
      contract: state,
      period,
      // A refusal because the review moved on shows the current version, to look at again.
      reviewVersion: reviewVersionOf(period),
      general: errors.general,
      rows: period.review.indicators.map((indicator) => ({
        indicator,
        actual: posted?.[`actual.${indicator.id}`] ?? '',
        reason: posted?.[`reason.${indicator.id}`] ?? '',
        errors: {
          actual: errors.fields.get(`${indicator.id}/actual`),
          reason: errors.fields.get(`${indicator.id}/reason`),
        },
      })),
    });
  }

  // Suspension, resumption, termination: asked here, confirmed by the principal's emailed link.
  for (const action of Object.keys(ACTIONS) as PrincipalAction[]) {
    router.get(`/:id/request/${action}`, (req, res) => showRequest(req, res, 200, action));
    router.post(`/:id/request/${action}`, (req, res) => askFor(req, res, action));
  }

  async function askFor(req: Request, res: Response, action: PrincipalAction) {
    const id = String(req.params.id);
    const reason = ((req.body ?? {}) as Body).reason?.trim() ?? '';
    if (!reason)
      return showRequest(req, res, 400, action, reason, [
        { pointer: '/reason', message: 'Say why: the principal reads it before confirming.' },
      ]);
    const done = await attempt(
      () =>
        reads.change(id, () =>
          handle(id).executeUpdate(requestActionUpdate, { args: [{ action, reason, ...attribution(req) }] }),
        ),
      (status, refusal) => showRequest(req, res, status, action, reason, refusal),
    );
    if (done) res.redirect(303, back(id, `asked-${action}`));
  }

  async function showRequest(
    req: Request,
    res: Response,
    status: number,
    action: PrincipalAction,
    reason = '',
    issues: Issue[] = [],
  ) {
    const state = await reads.state(String(req.params.id));
    const errors = fieldErrors(issues, /^\/(reason)$/);
    pages.send(res, status, 'contract-request', {
      contract: state,
      action,
      ...ACTIONS[action],
      reason,
      general: errors.general,
      reasonError: errors.fields.get('reason'),
    });
  }

  // A fresh link to the same approver.
  router.post('/:id/approvals/:approvalId/resend', async (req, res) => {
    const { id, approvalId } = req.params;
    const done = await attempt(
      () =>
        reads.change(id, () =>
          handle(id).executeUpdate(resendApprovalUpdate, { args: [{ approvalId, ...attribution(req) }] }),
        ),
      (status, refusal) =>
        Promise.resolve(
          pages.send(res, status, 'message', {
            heading: 'No new link sent',
            message: refusal.map((i) => i.message).join(' '),
            link: { href: `/contracts/${encodeURIComponent(id)}`, text: 'Back to the contract' },
            bad: true,
          }),
        ),
    );
    if (done) res.redirect(303, back(id, 'resent'));
  });

  // Handing a pending decision to someone else on the same side (the approver is away).
  router.get('/:id/approvals/:approvalId/hand-over', (req, res) => showHandOver(req, res, 200));
  router.post('/:id/approvals/:approvalId/hand-over', async (req, res) => {
    const { id, approvalId } = req.params;
    const body = (req.body ?? {}) as Body;
    const state = await reads.state(id);
    const approval = state.pendingApprovals.find((a) => a.id === approvalId);
    const name = body.name?.trim() ?? '';
    const email = body.email?.trim() ?? '';
    const issues: Issue[] = [];
    if (!name) issues.push({ pointer: '/delegate/name', message: 'Whom to hand the decision to.' });
    if (!/^[^\s@]+@[^\s@]+$/.test(email))
      issues.push({ pointer: '/delegate/email', message: 'Their email address, e.g. name@agency.example.' });
    if (approval && approval.role !== 'principal' && principalOf(req)?.role !== 'admin') {
      issues.push({ pointer: '', message: "Only the performance office hands over the unit's decisions." });
      return showHandOver(req, res, 403, body, issues);
    }
    if (issues.length > 0 || !approval) return showHandOver(req, res, approval ? 400 : 409, body, issues);
    const comment = body.comment?.trim();
    const done = await attempt(
      () =>
        reads.change(id, () =>
          handle(id).executeUpdate(delegateUpdate, {
            args: [
              {
                approvalId,
                approverEmail: approval.approver.email,
                delegate: { name, email },
                ...(comment ? { comment } : {}),
                ...attribution(req),
              },
            ],
          }),
        ),
      (status, refusal) => showHandOver(req, res, status, body, refusal),
    );
    if (done) res.redirect(303, back(id, 'handed-over'));
  });

  async function showHandOver(
    req: Request,
    res: Response,
    status: number,
    posted: Body = {},
    issues: Issue[] = [],
  ) {
    const { id, approvalId } = req.params as { id: string; approvalId: string };
    const state = await reads.state(id);
    const approval = state.pendingApprovals.find((a) => a.id === approvalId);
    if (!approval) {
      return pages.send(res, 409, 'message', {
        heading: 'This decision is no longer awaited',
        message: 'It was taken, or the contract moved on.',
        link: { href: `/contracts/${encodeURIComponent(id)}`, text: 'Back to the contract' },
        bad: true,
      });
    }
    const errors = fieldErrors(issues, /^\/delegate\/(name|email)$/);
    pages.send(res, status, 'hand-over', {
      contract: state,
      approval,
      posted,
      general: errors.general,
      nameError: errors.fields.get('name'),
      emailError: errors.fields.get('email'),
    });
  }

  // A revision from the page: in negotiation new targets and weights (a counter-proposal the
  // unit is asked to agree to), once active new targets after Q2 (a mid-year revision). The form,
  // then the diff to confirm, then the proposal.
  router.get('/:id/revise', (req, res) => showRevision(req, res, 200));
  router.post('/:id/revise', async (req, res) => {
    const { id } = req.params;
    const body = (req.body ?? {}) as Body;
    const state = await reads.state(id);
    const negotiation = state.stage === 'negotiation';
    const indicators = state.revisions[state.revision - 1]?.indicators ?? [];
    const issues: Issue[] = [];
    const revised = indicators.map((indicator) => {
      const changed = { ...indicator };
      for (const field of negotiation ? (['target', 'weight'] as const) : (['target'] as const)) {
        const typed = body[`${field}.${indicator.id}`]?.trim();
        if (!typed) continue;
        const value = Number(typed.replace(/[\s,]/g, ''));
        if (!Number.isFinite(value))
          issues.push({ pointer: `/${field}s/${indicator.id}`, message: 'A number.' });
        else changed[field] = value;
      }
      return changed;
    });
    const justification = body.justification?.trim() ?? '';
    if (!justification)
      issues.push({
        pointer: '/justification',
        message: negotiation ? 'Say what you propose and why.' : 'Say why the targets change.',
      });
    const diff = diffIndicators(indicators, revised);
    if (issues.length === 0 && diff.changed.length === 0)
      issues.push({
        pointer: '',
        message: negotiation ? 'Change at least one target or weight.' : 'Change at least one target.',
      });
    if (issues.length > 0) return showRevision(req, res, 400, body, issues);
    if (body.action !== 'propose') return showRevision(req, res, 200, body, [], revised);
    const done = await attempt(
      async () => {
        if (negotiation) {
          const proposal = {
            proposedBy: 'principal' as const,
            indicators: await withSuggestionsFor(
              client,
              reads,
              id,
              revised.map(({ suggestion: _, ...i }) => i),
            ),
            note: justification,
            basedOn: state.revision,
            ...attribution(req),
          };
          return reads.change(id, () =>
            handle(id).executeUpdate(proposeRevisionUpdate, { args: [proposal] }),
          );
        }
        const targets = Object.fromEntries(
          revised.filter((r, n) => r.target !== indicators[n]!.target).map((r) => [r.id, r.target]),
        );
        const input = { proposedBy: 'principal' as const, targets, justification, ...attribution(req) };
        return reads.change(id, () =>
          handle(id).executeUpdate(proposeMidYearRevisionUpdate, { args: [input] }),
        );
      },
      (status, refusal) => showRevision(req, res, status, body, refusal),
    );
    if (done) res.redirect(303, back(id, 'proposed'));
  });

  async function showRevision(
    req: Request,
    res: Response,
    status: number,
    posted: Body = {},
    issues: Issue[] = [],
    preview?: Indicator[],
  ) {
    const state = await reads.state(String(req.params.id));
    const negotiation = state.stage === 'negotiation';
    const indicators = state.revisions[state.revision - 1]?.indicators ?? [];
    const errors = fieldErrors(issues, /^\/((?:targets|weights|indicators)\/[^/]+|justification)/);
    pages.send(res, status, 'revise', {
      contract: state,
      negotiation,
      general: errors.general,
      justification: posted.justification ?? '',
      justificationError: errors.fields.get('justification'),
      changes: preview && describeDiff(diffIndicators(indicators, preview), indicators, preview),
      rows: indicators.map((indicator, n) => ({
        indicator,
        target: posted[`target.${indicator.id}`] ?? String(indicator.target),
        weight: posted[`weight.${indicator.id}`] ?? String(indicator.weight),
        error:
          errors.fields.get(`targets/${indicator.id}`) ??
          errors.fields.get(`weights/${indicator.id}`) ??
          errors.fields.get(`indicators/${n}`),
      })),
    });
  }

  // The record: every line the contract's workflow wrote, oldest first, and the decisions taken.
  router.get('/:id/record', async (req, res) => {
    const { id } = req.params;
    const state = await reads.state(id);
    const cursor =
      typeof req.query.cursor === 'string' && /^\d{1,12}$/.test(req.query.cursor)
        ? req.query.cursor
        : undefined;
    const page = await reads.readModel.log(id, RECORD_PAGE, cursor);
    pages.send(res, 200, 'record', {
      contract: state,
      events: page.items.length > 0 || cursor ? page.items : state.log,
      next: page.next,
      decisions: [...state.years.flatMap((y) => y.decisions ?? []), ...state.decisions],
    });
  });

  return router;
}

function reviewVersionOf(period: PeriodState): number {
  return period.superseded.length + (period.review ? 1 : 0);
}

/** The signed-in person acting, as the record names them; undefined for a machine's token. */
function personOf(req: Request): { name: string; email: string } | undefined {
  const principal = principalOf(req);
  return principal?.email ? { name: principal.name, email: principal.email } : undefined;
}
