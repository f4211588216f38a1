// The annual evaluation and what follows its sign-off: the year's values scored against the
// targets in force, an evaluation document, the principal's sign-off by link; then renewal into
// next year (continue-as-new, carrying plain JSON) or closure.
import { carriedPlan } from '../../model/action-plan.js';
import { allHandlersFinished, condition, continueAsNew, patched } from '@temporalio/workflow';
import { addDays, addMonths } from '../../model/calendar.js';
import type { ContractInput } from '../../model/contract.js';
import type { ContractState, YearSummary } from '../../model/state.js';
import { evaluateYear, renewIndicators, withTarget } from '../../rules/evaluation.js';
import { suggestTargets } from '../../rules/targets.js';
import { nowIso } from '../clock.js';
import { peerFigures, storeEvaluationDocument } from './activities.js';
import { ask, currentRevision, email, everyone, log, summary, type ContractContext } from './context.js';
import { carriedYears } from './bounds.js';
import { mailSent } from './mail.js';
import { markChanged, projected } from './projection.js';
import { updateSearchAttributes } from './search-attributes.js';
import type { contractWorkflow } from './index.js';

/** Renewals by the rule set's targets.suggest, with peers read by a local activity. */
const TARGETS_SUGGEST_PATCH = 'targets-suggest';

export async function evaluate(ctx: ContractContext): Promise<void> {
  const { state, ruleSet } = ctx;
  ctx.evaluationStale = false;
  const year = evaluateYear(ruleSet, currentRevision(ctx).indicators, state.periods);
  const round = state.log.filter((l) => l.event === 'evaluated' && l.year === state.year).length + 1;
  // An older round's sign-off must not sign off this one: withdraw it before anything awaits.
  state.pendingApprovals = state.pendingApprovals.filter((a) => a.kind !== 'signoff');
  state.evaluation = { at: nowIso(), ...year };
  log(ctx, 'evaluated', undefined, `${year.score} ${year.grade}${round > 1 ? ` (round ${round})` : ''}`);
  updateSearchAttributes(ctx);
  const document = await storeEvaluationDocument({
    contract: summary(ctx),
    evaluation: state.evaluation,
    periods: state.periods,
    round,
  });
  state.evaluation.documentUrl = document.path;
  // Suspended or terminated meanwhile: a resumed contract evaluates again; a terminated one stops.
  if (state.stage !== 'evaluation') {
    ctx.evaluationStale = true;
    return;
  }
  email(ctx, `evaluation-${round}`, everyone(ctx), 'evaluation-published', {
    evaluation: state.evaluation,
    documentUrl: document.url,
  });
  ask(ctx, 'signoff', 'principal', `y${state.year}-e${round}-signoff-principal`);
}

/** After the sign-off: the year is summarised, then the contract renews or closes. */
export async function finishYear(ctx: ContractContext): Promise<ContractState> {
  const { state, ruleSet, contract } = ctx;
  const evaluation = state.evaluation!;
  const finished: YearSummary = {
    year: state.year,
    period: { start: state.period.start, end: state.period.end },
    revision: state.revision,
    score: evaluation.score,
    grade: evaluation.grade,
    indicators: evaluation.indicators,
    reviews: state.periods.map((p) => ({ period: p.id, score: p.review!.score, grade: p.review!.grade })),
    ...(evaluation.documentUrl ? { documentUrl: evaluation.documentUrl } : {}),
    ...(evaluation.signedOff ? { signedOffAt: evaluation.signedOff.at } : {}),
    decisions: state.decisions,
  };
  if (state.renewal === 'none') {
    state.years.push(finished);
    state.stage = 'closed';
    log(ctx, 'closed');
    email(ctx, 'closed', everyone(ctx), 'contract-ended', { outcome: 'closed', evaluation });
    updateSearchAttributes(ctx);
    await condition(() => mailSent(ctx));
    markChanged(ctx);
    await condition(() => projected(ctx));
    return state;
  }
  const start = addDays(state.period.end, 1);
  const problems: string[] = [];
  const next: ContractInput = {
    ...contract,
    period: { ...state.period, start, end: addDays(addMonths(start, 12), -1) },
    indicators: renewIndicators(ruleSet, currentRevision(ctx).indicators, evaluation.indicators, problems),
    // The initiatives still open go on into next year's proposal, as they stand.
    ...(state.actionPlan ? { actionPlan: carriedPlan(state.actionPlan) } : {}),
  };
  if (problems.length > 0) log(ctx, 'renewal-rule-failed', undefined, problems.join('; '));
  // A rule set that suggests targets renews by its suggestions, with the peers of the read model.
  if (ruleSet.targets?.suggest !== undefined && patched(TARGETS_SUGGEST_PATCH)) {
    const peers = await peerFigures({
      contract: state.id,
      ...(state.category ? { category: state.category } : {}),
      indicators: next.indicators.map((i) => i.id),
    });
    const suggestions = suggestTargets(ruleSet, next.indicators, peers);
    next.indicators = next.indicators.map((indicator, i) => {
      const suggestion = suggestions[i]!;
      const renewed = suggestion.target === null ? indicator : withTarget(indicator, suggestion.target);
      return { ...renewed, suggestion };
    });
  }
  await condition(() => mailSent(ctx) && allHandlersFinished());
  // A termination confirmed while the last emails went out ends the contract instead.
  if (state.stage === 'terminated') {
    state.years.push(finished);
    log(ctx, 'terminated', undefined, state.terminated?.reason);
    updateSearchAttributes(ctx);
    markChanged(ctx);
    await condition(() => mailSent(ctx) && projected(ctx) && allHandlersFinished());
    return state;
  }
  log(ctx, 'renewed', undefined, `year ${state.year + 1}: ${start} to ${next.period.end}`);
  markChanged(ctx);
  await condition(() => projected(ctx));
  return continueAsNew<typeof contractWorkflow>({
    contract: next,
    ruleSet,
    carried: {
      year: state.year + 1,
      ...carriedYears({ ...state, years: [...state.years, finished] }),
      createdAt: state.createdAt,
      ...(state.version ? { version: state.version } : {}),
    },
  });
}
