// The contracts API: create, list, read, propose (reports: ./reports.ts). Thin: validate, then talk to Temporal.
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { actionPlanSchema } from '../../model/action-plan.js';
import type { ContractState } from '../../model/state.js';
import { validateIndicators, validator } from '../../model/validation.js';
import { proposeRevisionUpdate, type ProposalInput } from '../../workflows/messages.js';
import { attribution, principalOf } from '../auth/access.js';
import { stateFor } from '../auth/disclosure.js';
import { listVisibleContracts } from '../auth/visible-contracts.js';
import { withSuggestionsFor } from '../suggestions.js';
import { prepareContract, startContract } from '../contract-creation.js';
import { checkListQuery } from '../contract-filters.js';
import type { ContractReads } from '../contract-reads.js';

export interface ContractRoutesDeps {
  client: Client;
  taskQueue: string;
  publicUrl: string;
  reads: ContractReads;
  /** The categories a contract may name; any when absent. */
  categories?: readonly string[];
}

const checkProposal = validator<ProposalInput>({
  type: 'object',
  additionalProperties: false,
  required: ['proposedBy', 'indicators'],
  properties: {
    proposedBy: { enum: ['principal', 'unit'] },
    indicators: {},
    note: { type: 'string', maxLength: 2000 },
    basedOn: { type: 'integer', minimum: 1, maximum: 10000 },
    actionPlan: actionPlanSchema,
  },
});

/** Contracts per page of the list, unless the request asks for another `limit` (at most 500). */
const PAGE = 100;

export function contractRoutes({
  client,
  taskQueue,
  publicUrl,
  reads,
  categories,
}: ContractRoutesDeps): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const input = await prepareContract(
      { client, taskQueue, reads, ...(categories ? { categories } : {}) },
      req.body,
    );
    const { contract } = input;
    await startContract({ client, taskQueue, reads }, input);
    res
      .status(201)
      .location(`/api/v1/contracts/${encodeURIComponent(contract.id)}`)
      .json({ id: contract.id, stage: 'negotiation' });
  });

  router.get('/', async (req, res) => {
    const { limit, cursor, ...filters } = checkListQuery({ ...req.query });
    const page = await listVisibleContracts(
      reads.readModel,
      principalOf(req),
      filters,
      Number(limit ?? PAGE),
      cursor,
    );
    res.json({ contracts: page.items, ...(page.next ? { next: page.next } : {}) });
  });

  router.get('/:id', async (req, res) => {
    const state = await reads.state(req.params.id);
    res.json(withAbsoluteUrls(stateFor(principalOf(req), state), publicUrl));
  });

  router.post('/:id/revisions', async (req, res) => {
    const proposal = { ...checkProposal(req.body), ...attribution(req) };
    proposal.indicators = await withSuggestionsFor(
      client,
      reads,
      req.params.id,
      validateIndicators(proposal.indicators),
    );
    const handle = client.workflow.getHandle(req.params.id);
    res
      .status(201)
      .json(
        await reads.change(req.params.id, () =>
          handle.executeUpdate(proposeRevisionUpdate, { args: [proposal] }),
        ),
      );
  });

  return router;
}

function withAbsoluteUrls(state: ContractState, publicUrl: string): ContractState {
  for (const period of state.periods) {
    const url = period.review?.documentUrl;
    if (period.review && url?.startsWith('/')) period.review.documentUrl = publicUrl + url;
  }
  return state;
}
