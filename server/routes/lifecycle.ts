// The contract's year after creation: revisions and their diffs, mid-year revisions, moderation,
// termination and suspension requests, approval resends, past years and the audit record.
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { MAX_INDICATORS, personSchema } from '../../model/contract.js';
import { CovenantError } from '../../model/errors.js';
import { diffIndicators } from '../../model/revision-diff.js';
import { attribution, principalOf } from '../auth/access.js';
import { decisionsFor, stateFor } from '../auth/disclosure.js';
import type { ContractReads } from '../contract-reads.js';
import { validator } from '../../model/validation.js';
import {
  moderateUpdate,
  proposeMidYearRevisionUpdate,
  requestActionUpdate,
  resendApprovalUpdate,
  type MidYearRevisionInput,
  type ModerationInput,
  type PrincipalAction,
} from '../../workflows/messages.js';

const checkMidYear = validator<MidYearRevisionInput>({
  type: 'object',
  additionalProperties: false,
  required: ['proposedBy', 'targets', 'justification'],
  properties: {
    proposedBy: { enum: ['principal', 'unit'] },
    targets: {
      type: 'object',
      minProperties: 1,
      maxProperties: MAX_INDICATORS,
      additionalProperties: { type: 'number' },
    },
    justification: { type: 'string', minLength: 1, maxLength: 2000 },
  },
});

const checkModeration = validator<ModerationInput>({
  type: 'object',
  additionalProperties: false,
  required: ['period', 'reviewVersion', 'by', 'values'],
  properties: {
    period: { type: 'string', pattern: '^[A-Za-z0-9-]{1,20}$' },
    reviewVersion: { type: 'integer', minimum: 1, maximum: 1000 },
    by: personSchema,
    values: {
      type: 'object',
      minProperties: 1,
      maxProperties: MAX_INDICATORS,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['actual', 'reason'],
        properties: {
          actual: { type: ['number', 'null'] },
          reason: { type: 'string', minLength: 1, maxLength: 500 },
        },
      },
    },
  },
});

const checkReason = validator<{ reason: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: { type: 'string', minLength: 1, maxLength: 2000 } },
});

const checkDiffQuery = validator<{ from?: string; to?: string }>({
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { type: 'string', pattern: '^[1-9][0-9]{0,3}$' },
    to: { type: 'string', pattern: '^[1-9][0-9]{0,3}$' },
  },
});

/** Lines of the record per page of the audit, unless the request asks for another `limit`. */
const AUDIT_PAGE = 500;

export function lifecycleRoutes(client: Client, reads: ContractReads): Router {
  const router = Router();
  const handle = (id: string) => client.workflow.getHandle(id);
  /** An Update, answered once the read model shows its change. */
  const update = <T>(id: string, run: () => Promise<T>) => reads.change(id, run);

  router.get('/:id/revisions', async (req, res) => {
    const query = checkDiffQuery({ ...req.query });
    const state = await reads.state(req.params.id);
    if (query.from === undefined && query.to === undefined) {
      res.json({ revision: state.revision, revisions: state.revisions });
      return;
    }
    const from = state.revisions[Number(query.from ?? state.revision - 1) - 1];
    const to = state.revisions[Number(query.to ?? state.revision) - 1];
    if (!from || !to) {
      throw new CovenantError('not-found', [
        {
          pointer: from ? '/to' : '/from',
          message: `This contract has revisions 1 to ${state.revisions.length}`,
        },
      ]);
    }
    res.json({ from: from.number, to: to.number, diff: diffIndicators(from.indicators, to.indicators) });
  });

  router.get('/:id/years', async (req, res) => {
    const state = await reads.state(req.params.id);
    res.json({
      current: { year: state.year, stage: state.stage, period: state.period },
      years: stateFor(principalOf(req), state).years,
    });
  });

  // The record from the read model, every line ever written (the state keeps the latest), paged.
  router.get('/:id/audit', async (req, res) => {
    const state = await reads.state(req.params.id);
    const limit = Number(req.query.limit ?? AUDIT_PAGE);
    const cursor = typeof req.query.cursor === 'string' ? req.query.cursor : undefined;
    const page = await reads.readModel.log(req.params.id, limit, cursor);
    // Not projected yet (created a moment ago): the workflow's own lines.
    const events = page.items.length > 0 || cursor ? page.items : state.log.slice(0, limit);
    res.json({
      events,
      ...(page.next ? { next: page.next } : {}),
      decisions: decisionsFor(principalOf(req), [
        ...state.years.flatMap((y) => y.decisions ?? []),
        ...state.decisions,
      ]),
    });
  });

  router.post('/:id/mid-year-revisions', async (req, res) => {
    const input = { ...checkMidYear(req.body), ...attribution(req) };
    res
      .status(201)
      .json(
        await update(req.params.id, () =>
          handle(req.params.id).executeUpdate(proposeMidYearRevisionUpdate, { args: [input] }),
        ),
      );
  });

  router.post('/:id/moderations', async (req, res) => {
    const input = { ...checkModeration(req.body), ...attribution(req) };
    res.json(
      await update(req.params.id, () =>
        handle(req.params.id).executeUpdate(moderateUpdate, { args: [input] }),
      ),
    );
  });

  for (const action of ['terminate', 'suspend', 'resume'] as PrincipalAction[]) {
    router.post(`/:id/${action}`, async (req, res) => {
      const { reason } = checkReason(req.body);
      res.status(202).json(
        await update(req.params.id, () =>
          handle(req.params.id).executeUpdate(requestActionUpdate, {
            args: [{ action, reason, ...attribution(req) }],
          }),
        ),
      );
    });
  }

  router.post('/:id/approvals/:approvalId/resend', async (req, res) => {
    res.status(202).json(
      await update(req.params.id, () =>
        handle(req.params.id).executeUpdate(resendApprovalUpdate, {
          args: [{ approvalId: req.params.approvalId, ...attribution(req) }],
        }),
      ),
    );
  });

  return router;
}
