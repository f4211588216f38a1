// The web UI: contract list, one contract, and the outbox of caught mail.
import { Router } from 'express';
import { CovenantError, type Issue } from '../../model/errors.js';
import type { Scale } from '../../model/portfolio-review.js';
import type { ContractListItem } from '../../store/read-model.js';
import { formQuery, STAGES, type ListQuery } from '../contract-filters.js';
import { yearCharts } from '../../templates/charts.js';
import { principalOf } from '../auth/access.js';
import { listVisibleContracts } from '../auth/visible-contracts.js';
import type { CaughtMailStore } from '../../store/mail.js';
import type { ContractReads } from '../contract-reads.js';
import type { Pages } from '../pages.js';

/** Contracts per page of the list. */
const CONTRACTS_PAGE = 100;
/** Messages per page of the outbox. */
const OUTBOX_PAGE = 100;

export function uiRoutes(
  reads: ContractReads,
  pages: Pages,
  outbox: CaughtMailStore | undefined,
  scaleOf: (ruleSetId: string, version: number) => Promise<Scale>,
): Router {
  const router = Router();

  // The list, filtered by a form that works without script; a wrong filter is marked in the form.
  router.get('/', async (req, res) => {
    let query: ListQuery;
    try {
      query = formQuery(req.query);
    } catch (err) {
      if (!(err instanceof CovenantError)) throw err;
      return pages.send(res, 400, 'contracts', {
        filters: req.query,
        stages: STAGES,
        errors: fieldErrors(err.issues),
        contracts: [],
      });
    }
    const { cursor, ...filters } = query;
    delete filters.limit;
    const page = await listVisibleContracts(
      reads.readModel,
      principalOf(req),
      filters,
      CONTRACTS_PAGE,
      cursor,
    );
    const contracts = await Promise.all(
      page.items.map(async (c) => ({ ...c, scale: await scaleOf(c.ruleSet.id, c.ruleSet.version) })),
    );
    pages.send(res, 200, 'contracts', {
      contracts,
      filters,
      filtered: Object.keys(filters).length > 0,
      stages: STAGES,
      ...(page.next ? { next: new URLSearchParams({ ...filters, cursor: page.next }).toString() } : {}),
    });
  });

  router.get('/contracts/:id', async (req, res) => {
    const state = await reads.state(req.params.id);
    const reviewed = state.periods.filter((p) => p.review);
    pages.send(res, 200, 'contract', {
      state,
      scale: await scaleOf(state.ruleSet.id, state.ruleSet.version),
      indicators: state.revisions[state.revision - 1]?.indicators ?? [],
      escalations: reviewed.flatMap((p) => p.review!.escalations.map((e) => ({ period: p.id, ...e }))),
      moderations: state.periods.flatMap((p) => p.moderations.map((m) => ({ period: p.id, ...m }))),
      charts: reviewed.length > 0 ? await yearCharts(state.periods) : undefined,
      reported: typeof req.query.reported === 'string' ? req.query.reported : undefined,
      done: typeof req.query.done === 'string' ? DONE[req.query.done] : undefined,
      canManage: ['admin', 'manager'].includes(principalOf(req)?.role ?? ''),
    });
  });

  if (outbox) {
    router.get('/outbox', async (req, res) => {
      const cursor = typeof req.query.cursor === 'string' ? req.query.cursor : undefined;
      const page = await outbox.pageByMessageId(OUTBOX_PAGE, cursor);
      pages.send(res, 200, 'outbox', { messages: page.items, next: page.next });
    });
    router.get('/outbox/:id', async (req, res) => {
      const message = await outbox.get(req.params.id);
      if (!message)
        return pages.send(res, 404, 'message', {
          heading: 'Not found',
          message: 'No such message.',
          bad: true,
        });
      // Links in the message open a tab of their own: followed inside the frame, the page they
      // lead to would refuse to be framed (frame-ancestors 'none') and show a broken frame.
      pages.send(res, 200, 'outbox-message', { message, framed: `<base target="_blank">${message.html}` });
    });
  }
  return router;
}

/** What the contract page says after a form of server/routes/manager-forms.ts (a fixed text per code). */
const DONE: Partial<Record<string, string>> = {
  created: 'The contract is created: the other party is asked to agree to its terms by email.',
  moderated: 'The review is moderated; its new version follows within seconds.',
  'asked-suspend': "Asked to suspend: the principal's confirmation link is on its way.",
  'asked-resume': "Asked to resume: the principal's confirmation link is on its way.",
  'asked-terminate': "Asked to terminate: the principal's confirmation link is on its way.",
  resent: 'A fresh link is on its way to the approver.',
  'handed-over': 'The decision is handed over; the new approver’s link is on its way.',
  proposed: 'The revision is proposed; both parties are asked to approve it by email.',
};

/** Issues by the form field they concern: `/grade` marks the grade field. */
function fieldErrors(issues: readonly Issue[]): Record<string, string> {
  return Object.fromEntries(issues.map((i) => [i.pointer.replace(/^\//, '') || 'form', i.message]));
}

export type ListedContract = ContractListItem & { scale: Scale };
