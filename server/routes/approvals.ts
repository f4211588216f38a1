// Approval links from email. GET shows what is being decided and changes nothing (mail scanners
// open every link); POST sends the decision to the workflow, which accepts only what it awaits, once.
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { describeDiff, diffIndicators } from '../../model/revision-diff.js';
import type { BlobStore } from '../../store/blobs.js';
import { cspNonce } from '../security.js';
import { Router, type Request, type Response } from 'express';
import { APPROVAL_ACTIONS } from '../../model/approval-actions.js';
import { verifyApprovalToken, type ApprovalClaims } from '../../model/approval-token.js';
import { signDocumentUrl } from '../../model/document-token.js';
import { CovenantError } from '../../model/errors.js';
import type { ApprovalKind, ContractState, PendingApproval } from '../../model/state.js';
import { validator } from '../../model/validation.js';
import { decideUpdate, delegateUpdate } from '../../workflows/messages.js';
import type { ContractReads } from '../contract-reads.js';
import { ApprovalCsrf, FORM_LIFETIME_MS, type CsrfCheck } from '../csrf.js';
import { statusOf, toCovenantError } from '../errors.js';
import type { Pages } from '../pages.js';

export interface ApprovalRoutesDeps {
  client: Client;
  linkSecret: string;
  pages: Pages;
  /** Approval pages read the read model: they open even while the workers are backlogged. */
  reads: ContractReads;
  /** The document signed, shown on the signing page. */
  documents: BlobStore;
}

const REFUSALS = {
  malformed: 'This link is incomplete or altered. Open it again from your email, copying the whole address.',
  signature:
    'This link was not issued by this Covenant server, or it was altered, or the server key has changed since it was sent.',
  expired: 'This link has expired.',
} as const;

const CSRF_REFUSALS: Record<Exclude<CsrfCheck, 'ok'>, string> = {
  missing: 'This form did not come from the decision page in this browser.',
  mismatch: 'This form was not issued for this link.',
  expired: 'This page was open too long.',
};

// Fields of the page's two forms; anything else is refused, like unknown fields in the API.
const checkDecisionForm = validator<Record<string, string>>({
  type: 'object',
  additionalProperties: false,
  properties: {
    csrf: { type: 'string', maxLength: 200 },
    decision: { type: 'string', maxLength: 20 },
    comment: { type: 'string', maxLength: 2000 },
  },
});
const checkDelegateForm = validator<Record<string, string>>({
  type: 'object',
  additionalProperties: false,
  properties: {
    csrf: { type: 'string', maxLength: 200 },
    delegateName: { type: 'string', maxLength: 200 },
    delegateEmail: { type: 'string', maxLength: 254 },
    comment: { type: 'string', maxLength: 2000 },
  },
});

type Pending = { claims: ApprovalClaims; state: ContractState; approval: PendingApproval };

export function approvalRoutes({ client, linkSecret, pages, reads, documents }: ApprovalRoutesDeps): Router {
  const router = Router();
  const csrf = new ApprovalCsrf(linkSecret);
  const signedPath = (path: string) =>
    path.startsWith('/documents/') ? signDocumentUrl(path, linkSecret, Date.now() + FORM_LIFETIME_MS) : path;

  /** The CSRF token of the page this POST came from, then the form's fields; renders the refusal otherwise. */
  function formAccepted(req: Request, res: Response, check: (body: unknown) => unknown): boolean {
    const body: unknown = req.body ?? {};
    const field =
      typeof body === 'object' && body !== null ? (body as Record<string, unknown>).csrf : undefined;
    const verdict = csrf.check(req, String(req.params.token), field);
    if (verdict !== 'ok') {
      pages.send(res, 403, 'message', {
        heading: 'Nothing was recorded',
        message: `${CSRF_REFUSALS[verdict]} Open the link from your email again and decide on that page.`,
        link: {
          href: `${req.baseUrl}/${encodeURIComponent(String(req.params.token))}`,
          text: 'Open the decision page again',
        },
        bad: true,
      });
      return false;
    }
    try {
      check(body);
    } catch (err) {
      if (!(err instanceof CovenantError)) throw err;
      pages.send(res, 400, 'message', {
        heading: 'Nothing was recorded',
        message: `The form was not understood: ${err.issues.map((i) => `${i.pointer.slice(1)} ${i.message}`).join('; ')}.`,
        bad: true,
      });
      return false;
    }
    return true;
  }

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
      state = await reads.state(claims.contractId);
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
    if (approval.approver.email.toLowerCase() !== claims.approver.toLowerCase()) {
      pages.send(res, 409, 'message', {
        heading: 'Nothing to decide',
        message: approval.delegatedBy
          ? `This decision was handed to ${approval.approver.name}; their own link is the one that counts now.`
          : 'This link was issued to someone else.',
        bad: true,
      });
      return undefined;
    }
    if (Date.parse(approval.expiresAt) !== claims.expiresAt) {
      pages.send(res, 410, 'message', {
        heading: 'This link was replaced',
        message: 'A newer link for this decision was sent: use the most recent email.',
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
    const { state, approval } = found;
    // The page carries a CSRF token and personal data: no cache may keep it.
    res.set('Cache-Control', 'no-store');
    const earlier = approval.revision > 1 ? state.revisions[approval.revision - 2] : undefined;
    const requested = [...state.log].reverse().find((l) => l.event === `${approval.kind}-requested`);
    const signed =
      approval.kind === 'sign' && state.signing
        ? await documents.get(state.signing.url.replace(/^\/documents\//, ''))
        : undefined;
    pages.send(res, 200, 'approval', {
      csrf: csrf.issue(req, res, String(req.params.token)),
      // The proposer's note, and what changed since the revision before (agree, sign).
      proposal:
        revision && (approval.kind === 'agree' || approval.kind === 'sign')
          ? {
              by: revision.proposedBy,
              at: revision.proposedAt,
              note: revision.note,
              changes:
                earlier && earlier.indicators.length > 0 && revision.indicators.length > 0
                  ? describeDiff(
                      diffIndicators(earlier.indicators, revision.indicators),
                      earlier.indicators,
                      revision.indicators,
                    )
                  : undefined,
              previous: earlier?.number,
            }
          : undefined,
      // Who asked for a termination, a suspension or a resumption, when and why.
      requested: requested && { by: requested.by, at: requested.at, reason: requested.detail },
      // The document signed, on the page (its own styles allowed by this page's nonce; no script).
      document: signed ? framedDocument(signed.content.toString('utf8'), cspNonce(res)) : undefined,
      button: BUTTONS[approval.kind],
      contract: state,
      approval,
      action: APPROVAL_ACTIONS[approval.kind],
      indicators: approval.kind === 'signoff' ? [] : (revision?.indicators ?? []),
      previous: approval.kind === 'revise' ? state.revisions[state.revision - 1]?.indicators : undefined,
      // The approver may hold no API token: the page links the document with a signed link.
      signing:
        approval.kind === 'sign' && state.signing
          ? {
              ...state.signing,
              url: signedPath(state.signing.url),
              ...(state.signing.pdf ? { pdf: signedPath(state.signing.pdf) } : {}),
            }
          : undefined,
      evaluation:
        approval.kind === 'signoff' && state.evaluation
          ? {
              ...state.evaluation,
              ...(state.evaluation.documentUrl
                ? { documentUrl: signedPath(state.evaluation.documentUrl) }
                : {}),
            }
          : undefined,
      delegateAction: `${req.baseUrl}/${encodeURIComponent(String(req.params.token))}/delegate`,
    });
  });

  router.post('/:token', async (req, res) => {
    const found = await pending(req, res);
    if (!found || !formAccepted(req, res, checkDecisionForm)) return;
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
      const result = await reads.change(found.claims.contractId, () =>
        client.workflow.getHandle(found.claims.contractId).executeUpdate(decideUpdate, {
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
        }),
      );
      pages.send(res, 200, 'approval-result', {
        contract: found.state,
        approval: found.approval,
        action: APPROVAL_ACTIONS[found.approval.kind],
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

  router.post('/:token/delegate', async (req, res) => {
    const found = await pending(req, res);
    if (!found || !formAccepted(req, res, checkDelegateForm)) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const name = typeof body.delegateName === 'string' ? body.delegateName.trim().slice(0, 200) : '';
    const email = typeof body.delegateEmail === 'string' ? body.delegateEmail.trim().slice(0, 254) : '';
    const comment = typeof body.comment === 'string' ? body.comment.slice(0, 2000) : undefined;
    if (!name || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      pages.send(res, 400, 'message', {
        heading: 'Not handed over',
        message: "Give the delegate's name and email address.",
        bad: true,
      });
      return;
    }
    try {
      const result = await reads.change(found.claims.contractId, () =>
        client.workflow.getHandle(found.claims.contractId).executeUpdate(delegateUpdate, {
          args: [
            {
              approvalId: found.approval.id,
              approverEmail: found.claims.approver,
              delegate: { name, email },
              ...(comment ? { comment } : {}),
            },
          ],
        }),
      );
      pages.send(res, 200, 'message', {
        heading: 'Decision handed over',
        message: `${result.approver.name} (${result.approver.email}) gets their own link. Yours no longer works.`,
      });
    } catch (err) {
      const known = toCovenantError(err);
      if (!known) throw err;
      pages.send(res, statusOf(known), 'message', {
        heading: 'Not handed over',
        message: known.issues.map((i) => i.message).join(' '),
        bad: true,
      });
    }
  });

  return router;
}

/** What the approve button says, by what is decided. */
const BUTTONS: Record<ApprovalKind, string> = {
  agree: 'Agree',
  sign: 'Sign',
  revise: 'Approve',
  signoff: 'Sign off',
  terminate: 'Confirm the termination',
  suspend: 'Confirm the suspension',
  resume: 'Confirm the resumption',
};

/**
 * A stored document for a sandboxed srcdoc frame: the frame inherits this page's policy, so the
 * document's own <style> gets the page's nonce; it has no script to allow.
 */
function framedDocument(html: string, nonce: string): string {
  return html.replace(/<style>/g, `<style nonce="${nonce}">`);
}
