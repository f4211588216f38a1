// The web UI: contract list, one contract, and the outbox of caught mail.
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { stateQuery } from '../../workflows/messages.js';
import { principalOf } from '../auth/access.js';
import { listVisibleContracts } from '../auth/visible-contracts.js';
import type { CaughtMailStore } from '../../store/mail.js';
import type { Pages } from '../pages.js';

/** Messages per page of the outbox. */
const OUTBOX_PAGE = 100;

export function uiRoutes(client: Client, pages: Pages, outbox: CaughtMailStore | undefined): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    pages.send(res, 200, 'contracts', {
      contracts: await listVisibleContracts(client, principalOf(req), {}),
    });
  });

  router.get('/contracts/:id', async (req, res) => {
    const state = await client.workflow.getHandle(req.params.id).query(stateQuery);
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
