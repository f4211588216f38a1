// The web UI: contract list, one contract, and the outbox of caught mail.
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { stateQuery } from '../../workflows/messages.js';
import { principalOf } from '../auth/access.js';
import { listVisibleContracts } from '../auth/visible-contracts.js';
import type { OutboxStore } from '../outbox-store.js';
import type { Pages } from '../pages.js';

export function uiRoutes(client: Client, pages: Pages, outbox: OutboxStore | undefined): Router {
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
    router.get('/outbox', (_req, res) =>
      pages.send(res, 200, 'outbox', { messages: outbox.listByMessageId() }),
    );
    router.get('/outbox/:id', (req, res) => {
      const message = outbox.get(req.params.id);
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
