// The mid-year revision: once Q2 is over either party may propose new targets with a
// justification; both signatories approve by link (./approvals.ts applies it to the periods not
// yet reviewed). Revised targets pass the same vetting guards as the signed ones.
import { setHandler } from '@temporalio/workflow';
import { hasEnded } from '../../model/periods.js';
import { withTarget } from '../../rules/evaluation.js';
import { runGuards } from '../../rules/scoring.js';
import { nowIso, nowMs } from '../clock.js';
import { proposeMidYearRevisionUpdate, type MidYearRevisionInput } from '../messages.js';
import { ask, currentRevision, log, signatory, type ContractContext } from './context.js';
import { checkRoom } from './bounds.js';
import { conflict, escapePointer, invalid } from './failures.js';

export function registerMidYearRevision(ctx: ContractContext): void {
  const { state, ruleSet } = ctx;

  setHandler(
    proposeMidYearRevisionUpdate,
    (input) => {
      ctx.changes++;
      const number = state.revisions.length + 1;
      const indicators = revisedIndicators(ctx, input.targets);
      state.revisions.push({
        number,
        indicators,
        proposedBy: input.proposedBy,
        proposedAt: nowIso(),
        kind: 'mid-year',
        status: 'proposed',
        note: input.justification,
      });
      log(
        ctx,
        'mid-year-revision-proposed',
        input.actor ?? signatory(ctx, input.proposedBy),
        `revision ${number}: ${input.justification}`,
      );
      for (const role of ['principal', 'unit'] as const)
        ask(ctx, 'revise', role, `y${state.year}-r${number}-revise-${role}`, { revision: number });
      return { revision: number };
    },
    {
      validator: (input: MidYearRevisionInput) => {
        if (state.stage !== 'active')
          throw conflict(`A mid-year revision needs an active contract; it is in ${state.stage}.`);
        const q2 = state.periods[1];
        if (!q2 || !hasEnded(q2, nowMs()))
          throw conflict('A mid-year revision can be proposed once Q2 is over.');
        if (state.periods.every((p) => p.review))
          throw conflict('Every period is already reviewed: nothing left to revise.');
        if (state.pendingApprovals.some((a) => a.kind === 'revise'))
          throw conflict('A mid-year revision is already awaiting approval.');
        if (!input.justification.trim())
          throw invalid('/justification', 'A mid-year revision needs a justification.');
        const known = new Set(currentRevision(ctx).indicators.map((i) => i.id));
        for (const [id, target] of Object.entries(input.targets)) {
          if (!known.has(id)) throw invalid(`/targets/${escapePointer(id)}`, `Unknown indicator '${id}'.`);
          if (!Number.isFinite(target)) throw invalid(`/targets/${escapePointer(id)}`, 'Must be a number.');
        }
        const revised = revisedIndicators(ctx, input.targets);
        checkRoom(ctx, [revised, input.justification]);
        const failure = runGuards(ruleSet, revised)[0];
        if (failure) {
          const at = /^\/indicators\/(\d+)$/.exec(failure.pointer);
          const id = at ? revised[Number(at[1])]!.id : undefined;
          throw invalid(
            id ? `/targets/${escapePointer(id)}` : '/targets',
            `[${failure.guard}] ${failure.message}`,
          );
        }
      },
    },
  );
}

/** The current terms with the revised annual targets; explicit quarterly targets scale with theirs. */
function revisedIndicators(ctx: ContractContext, targets: Record<string, number>) {
  return currentRevision(ctx).indicators.map((i) =>
    Object.hasOwn(targets, i.id) ? withTarget(i, targets[i.id]!) : i,
  );
}
