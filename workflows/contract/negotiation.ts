// Negotiation in rounds and vetting: either party proposes a revision, the other agrees by link;
// agreed terms pass the rule set's vetting guards, are rendered as the contract document, and
// both signatories are asked to sign it.
import { ActivityFailure, ApplicationFailure, patched, setHandler } from '@temporalio/workflow';
import type { Indicator } from '../../model/contract.js';
import { NO_BROWSER } from '../../model/errors.js';
import { planIssues, type InitiativeInput } from '../../model/action-plan.js';
import type { PartyRole } from '../../model/state.js';
import { phasingFailures, vettingFailures } from '../../rules/vetting.js';
import { nowIso } from '../clock.js';
import { proposeRevisionUpdate, type ProposalInput } from '../messages.js';
import { renderPdf, storeContractDocument } from './activities.js';
import {
  ask,
  currentRevision,
  email,
  everyone,
  log,
  otherParty,
  signatory,
  summary,
  type ContractContext,
} from './context.js';
import { checkRoom } from './bounds.js';
import { conflict, invalid } from './failures.js';
import { updateSearchAttributes } from './search-attributes.js';

/** The signed contract is a PDF (printed on the documents task queue), and its hash is the PDF's. */
const PDF_SIGNING_PATCH = 'pdf-signing';

/** The contract document's PDF, or undefined when no worker can print it (no Chromium). */
async function signedPdf(htmlPath: string): Promise<{ path: string; sha256: string } | undefined> {
  try {
    return await renderPdf({ key: htmlPath.replace(/^\/documents\//, '') });
  } catch (err) {
    if (
      err instanceof ActivityFailure &&
      err.cause instanceof ApplicationFailure &&
      err.cause.type === NO_BROWSER
    )
      return undefined;
    throw err;
  }
}

export function registerNegotiation(ctx: ContractContext): void {
  setHandler(
    proposeRevisionUpdate,
    (proposal) => {
      ctx.changes++;
      return {
        revision: propose(
          ctx,
          proposal.indicators,
          proposal.proposedBy,
          proposal.note,
          proposal.actor,
          proposal.actionPlan ?? currentRevision(ctx).actionPlan,
        ),
      };
    },
    {
      validator: (proposal: ProposalInput) => {
        if (ctx.state.stage !== 'negotiation') {
          throw conflict(
            `Revisions can be proposed during negotiation; the contract is in ${ctx.state.stage}.`,
          );
        }
        if (proposal.basedOn !== undefined && proposal.basedOn !== ctx.state.revision) {
          throw conflict(
            `This proposal answers revision ${proposal.basedOn}, but revision ${ctx.state.revision} was proposed since: read it, then propose again.`,
            '/basedOn',
          );
        }
        checkUniqueIds(proposal.indicators);
        checkRoom(ctx, [proposal.indicators, proposal.note]);
        const phasing = phasingFailures(ctx.ruleSet, ctx.state.period, proposal.indicators)[0];
        if (phasing) throw invalid(phasing.pointer, phasing.message);
        // The plan proposed, or the one in force, must serve indicators of these terms.
        const plan = proposal.actionPlan ?? currentRevision(ctx).actionPlan ?? [];
        const issue = planIssues(
          plan,
          proposal.indicators.map((i) => i.id),
        )[0];
        if (issue) throw invalid(proposal.actionPlan ? issue.pointer : '/actionPlan', issue.message);
      },
    },
  );
}

/** A new revision of the terms, superseding the one pending; the other party is asked to agree. */
export function propose(
  ctx: ContractContext,
  indicators: Indicator[],
  proposedBy: PartyRole,
  note?: string,
  actor?: string,
  actionPlan?: InitiativeInput[],
): number {
  const { state } = ctx;
  for (const r of state.revisions) if (r.status === 'proposed') r.status = 'superseded';
  state.pendingApprovals = state.pendingApprovals.filter(
    (a) => a.kind === 'terminate' || a.kind === 'suspend',
  );
  const number = state.revisions.length + 1;
  state.revisions.push({
    number,
    indicators,
    proposedBy,
    proposedAt: nowIso(),
    kind: 'negotiation',
    status: 'proposed',
    ...(note ? { note } : {}),
    ...(actionPlan ? { actionPlan } : {}),
  });
  state.revision = number;
  state.stage = 'negotiation';
  log(
    ctx,
    'revision-proposed',
    actor ?? signatory(ctx, proposedBy),
    `revision ${number} for the ${proposedBy}${note ? `: ${note}` : ''}`,
  );
  const other = otherParty(proposedBy);
  ask(ctx, 'agree', other, `y${state.year}-r${number}-agree-${other}`);
  return number;
}

/** Runs the vetting guards on the agreed revision; passed, the terms go to both signatories. */
export async function vet(ctx: ContractContext): Promise<void> {
  const { state, ruleSet } = ctx;
  const revision = currentRevision(ctx);
  const failures = vettingFailures(ruleSet, state.period, revision.indicators);
  state.vetting = { revision: revision.number, at: nowIso(), passed: failures.length === 0, failures };
  log(
    ctx,
    failures.length === 0 ? 'vetting-passed' : 'vetting-failed',
    undefined,
    failures.map((f) => f.guard).join(', '),
  );
  if (failures.length > 0) {
    revision.status = 'failed-vetting';
    state.stage = 'negotiation';
    email(ctx, `r${revision.number}/vetting-failed`, everyone(ctx), 'vetting-failed', {
      revision: revision.number,
      failures,
    });
  } else {
    const document = await storeContractDocument({
      contract: { ...summary(ctx), period: state.period, managers: state.managers },
      revision,
    });
    state.signing = { revision: revision.number, url: document.path, sha256: document.sha256 };
    if (patched(PDF_SIGNING_PATCH)) {
      // What is signed is the PDF: its SHA-256 is what each signature records. A deployment
      // without Chromium signs the HTML, as before.
      const pdf = await signedPdf(document.path);
      if (pdf) state.signing = { ...state.signing, sha256: pdf.sha256, pdf: pdf.path };
    }
    // Terminated or suspended while the document was stored: that decision stands (a suspended
    // contract comes back to vetting when it resumes, and vets again).
    if (state.stage !== 'vetting') return;
    state.stage = 'signing';
    ask(ctx, 'sign', 'principal', `y${state.year}-r${revision.number}-sign-principal`);
    ask(ctx, 'sign', 'unit', `y${state.year}-r${revision.number}-sign-unit`);
  }
  updateSearchAttributes(ctx);
}

function checkUniqueIds(indicators: Indicator[]): void {
  const seen = new Set<string>();
  indicators.forEach((indicator, i) => {
    if (seen.has(indicator.id))
      throw invalid(`/indicators/${i}/id`, `Duplicate indicator id '${indicator.id}'.`);
    seen.add(indicator.id);
  });
}
