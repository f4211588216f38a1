// Quarterly reports, their reviews and moderation: the unit reports a period once it is over; the
// period is scored with the pinned rule set, a review document is stored and the parties told;
// a manager may moderate reviewed figures, which reviews the period again.
import { patched, setHandler, type ApplicationFailure } from '@temporalio/workflow';
import { DAY, endOfDay } from '../../model/calendar.js';
import { hasEnded } from '../../model/periods.js';
import type { Recipient } from '../../model/ruleset.js';
import type { PeriodState } from '../../model/state.js';
import { agreedActuals } from '../../rules/evaluation.js';
import { periodContext } from '../../rules/period-context.js';
import { scorePeriod } from '../../rules/scoring.js';
import { nowIso, nowMs } from '../clock.js';
import { moderateUpdate, submitReportUpdate, type ModerationInput, type ReportInput } from '../messages.js';
import { storeReviewDocument, storeReviewDocumentLocally } from './activities.js';
import { email, everyone, log, recipients, revisionOf, summary, type ContractContext } from './context.js';
import { checkRoom } from './bounds.js';
import { conflict, escapePointer, forbidden, invalid } from './failures.js';
import { updateSearchAttributes } from './search-attributes.js';
import { applyPlanUpdates, checkPlanUpdates, requestCorrectiveActions, reviewPlan } from './action-plan.js';
import {
  checkActuals,
  checkExplained,
  checkFigures,
  findPeriod,
  reportOf,
  submittedFigures,
} from './report-drafts.js';

/** Reviews scored with phased targets and `previous` (rules/period-context.ts); earlier ones were not. */
const PHASED_TARGETS_PATCH = 'phased-targets';

/** The review document stored by a local activity. */
const LOCAL_REVIEW_DOCUMENT_PATCH = 'review-document-local';

export function registerReporting(ctx: ContractContext): void {
  const { state, ruleSet } = ctx;

  setHandler(
    submitReportUpdate,
    (report) => {
      ctx.changes++;
      const period = state.periods.find((p) => p.id === report.period)!;
      period.report = reportOf(submittedFigures(period, report), nowIso(), nowMs() >= endOfDay(period.due));
      delete period.draft;
      if (report.plan && Object.keys(report.plan).length > 0)
        applyPlanUpdates(ctx, report.plan, report.actor, period.id);
      state.late = state.periods.some((p) => p.late && !p.report);
      log(
        ctx,
        'report-accepted',
        report.actor ?? state.unit.name,
        `${period.id}${period.report.late ? ' (late)' : ''}`,
      );
      queueReview(ctx, period.id);
      return { period: period.id, late: period.report.late };
    },
    {
      validator: (report: ReportInput) => {
        if (state.stage !== 'active')
          throw conflict(`Reports are accepted while the contract is active; it is in ${state.stage}.`);
        const period = findPeriod(ctx, report.period);
        if (!hasEnded(period, nowMs()))
          throw conflict(`${period.id} ends on ${period.end}; report it after that.`);
        if (period.report)
          throw conflict(`${period.id} has already been reported; a manager may moderate its figures.`);
        const indicators = revisionOf(ctx, period).indicators;
        checkActuals(report.actuals ?? {}, '/actuals', indicators);
        checkFigures(report.figures ?? {}, '/figures', indicators);
        checkPlanUpdates(ctx, report.plan ?? {}, '/plan');
        const figures = submittedFigures(period, report);
        checkExplained(indicators, figures);
        // The numbers always go on (a full state still takes reports); comments and evidence need room.
        const { notes } = reportOf(figures, '', false);
        if (notes) checkRoom(ctx, notes);
      },
    },
  );

  setHandler(
    moderateUpdate,
    (input) => {
      ctx.changes++;
      const period = state.periods.find((p) => p.id === input.period)!;
      const before = agreedActuals(period);
      for (const [indicator, value] of Object.entries(input.values)) {
        period.moderations.push({
          indicator,
          from: before[indicator] ?? null,
          to: value.actual,
          reason: value.reason,
          by: input.by,
          at: nowIso(),
        });
        log(
          ctx,
          'moderated',
          input.by,
          `${period.id} ${indicator}: ${before[indicator] ?? 'none'} -> ${value.actual ?? 'none'} (${value.reason})`,
        );
      }
      queueReview(ctx, period.id);
      if (state.stage === 'evaluation') ctx.evaluationStale = true;
      const rescored = scorePeriod(
        ruleSet,
        revisionOf(ctx, period).indicators,
        agreedActuals(period),
        period.id,
        patched(PHASED_TARGETS_PATCH) ? periodContext(state, period) : undefined,
      );
      return {
        period: period.id,
        score: rescored.score,
        grade: rescored.grade,
        reviewVersion: reviewVersion(period) + 1,
      };
    },
    {
      validator: (input: ModerationInput) => {
        if (state.stage !== 'active' && state.stage !== 'evaluation') {
          throw conflict(
            `Figures can be moderated while the contract is active or under evaluation; it is in ${state.stage}.`,
          );
        }
        if (state.evaluation?.signedOff)
          throw conflict('The evaluation is signed off: the figures are final.');
        if (!state.managers.some((m) => m.email.toLowerCase() === input.by.email.toLowerCase())) {
          throw forbidden(`${input.by.email} is not a manager of this contract.`);
        }
        const period = state.periods.find((p) => p.id === input.period);
        if (!period) throw invalid('/period', `Unknown period '${input.period}'.`);
        const firstReview = period.superseded[0] ?? period.review;
        if (!firstReview)
          throw conflict(`${period.id} has not been reviewed yet: moderation follows the review.`);
        // Under evaluation the figures stay open until the sign-off; before, each period has its window.
        const windowEnds = Date.parse(firstReview.reviewedAt) + ruleSet.moderation.windowDays * DAY;
        if (state.stage === 'active' && nowMs() > windowEnds) {
          throw conflict(
            `The moderation window of ${period.id} closed ${ruleSet.moderation.windowDays} days after its review.`,
          );
        }
        const stale = staleModeration(ctx, period, input);
        if (stale) throw stale;
        checkRoom(ctx, input.values);
        if (Object.keys(input.values).length === 0) throw invalid('/values', 'Name at least one indicator.');
        const values = Object.fromEntries(Object.entries(input.values).map(([id, v]) => [id, v.actual]));
        checkActuals(values, '/values', revisionOf(ctx, period).indicators, '/actual');
        // The handler scores the moderated figures: a rule set that cannot score them is refused here.
        try {
          scorePeriod(
            ruleSet,
            revisionOf(ctx, period).indicators,
            { ...agreedActuals(period), ...values },
            period.id,
          );
        } catch (err) {
          throw invalid('/values', err instanceof Error ? err.message : String(err));
        }
        for (const [id, value] of Object.entries(input.values)) {
          if (!value.reason.trim())
            throw invalid(`/values/${escapePointer(id)}/reason`, 'Every moderation needs a reason.');
        }
      },
    },
  );
}

/**
 * Optimistic concurrency: a moderation names the review version it was made against; another
 * change since (a moderation, a late report) makes it stale.
 */
function staleModeration(
  ctx: ContractContext,
  period: PeriodState,
  input: ModerationInput,
): ApplicationFailure | undefined {
  const version = reviewVersion(period);
  if (ctx.reviewQueue.includes(period.id)) {
    return conflict(
      `${period.id} changed since version ${version} of its review and is being reviewed again (version ${version + 1}): look at that version, then moderate it.`,
      '/reviewVersion',
    );
  }
  if (input.reviewVersion !== version) {
    return conflict(
      `This moderation was made against version ${input.reviewVersion} of the ${period.id} review; the current version is ${version}: look at it, then moderate again.`,
      '/reviewVersion',
    );
  }
  return undefined;
}

/** The version of a period's review: 1 for the first, one more for each review that replaced it. */
export function reviewVersion(period: PeriodState): number {
  return period.superseded.length + (period.review ? 1 : 0);
}

/** Queues a period for review, once. */
export function queueReview(ctx: ContractContext, periodId: string): void {
  if (!ctx.reviewQueue.includes(periodId)) ctx.reviewQueue.push(periodId);
}

/** Scores a period with the agreed figures, stores its review document and tells the parties. */
export async function review(ctx: ContractContext, period: PeriodState): Promise<void> {
  const { state, ruleSet } = ctx;
  if (period.review) period.superseded.push(period.review);
  const version = period.superseded.length + 1;
  // Runs recorded before phasing scored every quarter against the annual target, alone.
  const context = patched(PHASED_TARGETS_PATCH) ? periodContext(state, period) : undefined;
  const result = scorePeriod(
    ruleSet,
    revisionOf(ctx, period).indicators,
    agreedActuals(period),
    period.id,
    context,
  );
  period.review = { reviewedAt: nowIso(), revision: period.revision, version, ...result };
  const plan = reviewPlan(ctx, period.review);
  if (plan) period.review.plan = plan;
  log(
    ctx,
    'reviewed',
    undefined,
    `${period.id}${version > 1 ? ` (v${version})` : ''}: ${result.score} ${result.grade}`,
  );
  updateSearchAttributes(ctx);
  const request = { contract: summary(ctx), period, review: period.review, version };
  // Runs recorded before this stored it through an activity on the task queue.
  const document = patched(LOCAL_REVIEW_DOCUMENT_PATCH)
    ? await storeReviewDocumentLocally(request)
    : await storeReviewDocument(request);
  period.review.documentUrl = document.path;
  if (state.stage === 'terminated') return;
  const key = `${period.id}/review${version > 1 ? `-v${version}` : ''}`;
  email(ctx, key, everyone(ctx), 'review-published', {
    period,
    review: period.review,
    documentUrl: document.url,
    version,
  });
  for (const escalation of period.review.escalations) {
    email(
      ctx,
      `${key}/escalation/${escalation.id}`,
      recipients(ctx, escalation.notify as Recipient[]),
      'escalation',
      {
        period,
        review: period.review,
        escalation,
        documentUrl: document.url,
      },
    );
  }
  requestCorrectiveActions(ctx, period, period.review);
}
