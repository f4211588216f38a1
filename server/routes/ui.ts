// The web UI: contract list, one contract, and the outbox of caught mail.
import { Router } from 'express';
import { principalOf } from '../auth/access.js';
import { listVisibleContracts } from '../auth/visible-contracts.js';
import type { CaughtMailStore } from '../../store/mail.js';
import type { ContractReads } from '../contract-reads.js';
import type { Pages } from '../pages.js';

/** Contracts per page of the list. */
const CONTRACTS_PAGE = 100;
/** Messages per page of the outbox. */
const OUTBOX_PAGE = 100;

export function uiRoutes(reads: ContractReads, pages: Pages, outbox: CaughtMailStore | undefined): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const cursor = typeof req.query.cursor === 'string' ? req.query.cursor : undefined;
    const page = await listVisibleContracts(reads.readModel, principalOf(req), {}, CONTRACTS_PAGE, cursor);
    pages.send(res, 200, 'contracts', { contracts: page.items, next: page.next });
  });

  router.get('/contracts/:id', async (req, res) => {
    const state = await reads.state(req.params.id);
    pages.send(res, 200, 'contract', {
      state,
      indicators: state.revisions[state.revision - 1]?.indicators ?? [],
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
      pages.send(res, 200, 'outbox-message', { message });
    });
  }
  return router;
}
