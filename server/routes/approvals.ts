// Approval links from email. GET shows what is being decided and changes nothing (mail scanners
// open every link); POST sends the decision to the workflow, which accepts only what it awaits, once.
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { Router, type Request, type Response } from 'express';
import { verifyApprovalToken, type ApprovalClaims } from '../../model/approval-token.js';
import type { ContractState, PendingApproval } from '../../model/state.js';
import { decideUpdate, stateQuery } from '../../workflows/messages.js';
import { statusOf, toCovenantError } from '../errors.js';
import type { Pages } from '../pages.js';

export interface ApprovalRoutesDeps {
  client: Client;
  linkSecret: string;
  pages: Pages;
}

const REFUSALS = {
  malformed: 'This link is incomplete or altered. Open it again from your email, copying the whole address.',
  signature:
    'This link was not issued by this Covenant server, or it was altered, or the server key has changed since it was sent.',
  expired: 'This link has expired.',
} as const;

type Pending = { claims: ApprovalClaims; state: ContractState; approval: PendingApproval };

export function approvalRoutes({ client, linkSecret, pages }: ApprovalRoutesDeps): Router {
  const router = Router();

  /** Checks the token and that the workflow still awaits its decision; renders the refusal otherwise. */
  async function pending(req: Request, res: Response): Promise<Pending | undefined> {
    const check = verifyApprovalToken(String(req.params.token), linkSecret, Date.now());
    if (!check.ok) {
      pages.send(res, check.reason === 'expired' ? 410 : 400, 'message', {
        heading: 'This link cannot be used',
        message: REFUSALS[check.reason],
        detail: check.reason === 'expired' ? 'Ask the performance office for a new link.' : undefined,
        bad: true,
      });
      return undefined;
    }
    const { claims } = check;
    let state: ContractState;
    try {
      state = await client.workflow.getHandle(claims.contractId).query(stateQuery);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      pages.send(res, 404, 'message', {
        heading: 'Unknown contract',
        message: 'This contract does not exist.',
        bad: true,
      });
      return undefined;
    }
    const approval = state.pendingApprovals.find(
      (a) => a.id === claims.approvalId && a.revision === claims.revision,
    );
    if (!approval) {
      const taken = state.decisions.find((d) => d.approvalId === claims.approvalId);
      pages.send(res, 409, 'message', {
        heading: 'Nothing to decide',
        message: taken
          ? `This decision was already taken: ${taken.decision} by ${taken.by.name} at ${taken.at}.`
          : `This decision is no longer awaited: the contract is now in ${state.stage}, at revision ${state.revision}.`,
        bad: true,
      });
      return undefined;
    }
    return { claims, state, approval };
  }

  router.get('/:token', async (req, res) => {
    const found = await pending(req, res);
    if (!found) return;
    const revision = found.state.revisions[found.approval.revision - 1];
    pages.send(res, 200, 'approval', {
      contract: found.state,
      approval: found.approval,
      indicators: revision?.indicators ?? [],
    });
  });

  router.post('/:token', async (req, res) => {
    const found = await pending(req, res);
    if (!found) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const decision = body.decision;
    const comment = typeof body.comment === 'string' ? body.comment.slice(0, 2000) : undefined;
    if (decision !== 'approve' && decision !== 'reject') {
      pages.send(res, 400, 'message', {
        heading: 'No decision',
        message: 'Press Approve or Reject.',
        bad: true,
      });
      return;
    }
    try {
      const result = await client.workflow.getHandle(found.claims.contractId).executeUpdate(decideUpdate, {
        args: [
          {
            approvalId: found.approval.id,
            decision,
            ...(comment ? { comment } : {}),
            approverEmail: found.claims.approver,
            ...(req.ip ? { clientIp: req.ip } : {}),
            ...(req.get('user-agent') ? { userAgent: req.get('user-agent')!.slice(0, 500) } : {}),
          },
        ],
      });
      pages.send(res, 200, 'approval-result', {
        contract: found.state,
        approval: found.approval,
        decision,
        stage: result.stage,
      });
    } catch (err) {
      const known = toCovenantError(err);
      if (!known) throw err;
      pages.send(res, statusOf(known), 'message', {
        heading: 'Decision not recorded',
        message: known.issues.map((i) => i.message).join(' '),
        bad: true,
      });
    }
  });

  return router;
}
