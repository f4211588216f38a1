// "Try it" and the test cases: the draft run on one contract's real figures for one period, as the
// workflow would score it (in a rule thread): each indicator's score, the composite, the grade and
// the band that gave it, each escalation firing or not, beside what the period got when reviewed.
// Any of these is kept as a test case of its rule in one click (the data the rule read, the
// result it gave); the draft's test cases in a table, each passing or failing in words, removable.
// Saving runs them all; publishing is refused while one fails.
import { Router, type Request, type Response } from 'express';
import type { RuleSetDraft, RuleSetTest } from '../../model/ruleset.js';
import type { ContractState } from '../../model/state.js';
import { agreedActuals } from '../../rules/evaluation.js';
import { rowsUsed, tableOf } from '../../rules/criteria-table.js';
import { bandsOf } from '../../rules/grade-bands.js';
import { periodContext } from '../../rules/period-context.js';
import type { TriedPeriod } from '../../rules/try-period.js';
import { principalOf } from '../auth/access.js';
import type { ContractReads } from '../contract-reads.js';
import { statusOf, toCovenantError } from '../errors.js';
import type { Pages } from '../pages.js';
import { findRuleSet } from '../ruleset-registry.js';
import { editableDraft, editorOf, saveEdit, type StudioDeps } from '../studio-drafts.js';

type Body = Record<string, string | undefined>;

/** What a test case kept from a try is about. */
type Kind = 'grade' | 'indicator' | 'composite' | 'escalation';

export function studioTryRoutes(deps: StudioDeps & { reads: ContractReads }, pages: Pages): Router {
  const router = Router();

  router.get('/rulesets/:id/try', (req, res) => show(req, res, 200));

  // A test case kept from a try (worked out again here from the contract's figures, not taken
  // from the page) or removed; the draft saved, its test cases run.
  router.post('/rulesets/:id/tests', async (req, res) => {
    const id = String(req.params.id);
    const body = (req.body ?? {}) as Body;
    const { document, revision } = await editableDraft(deps.client, id);
    const tests = [...(document.tests ?? [])];
    if (body.action === 'remove') tests.splice(Number(body.index), 1);
    else {
      const tried = await attempt(document, body.contract ?? '', body.period ?? '');
      const test = 'tried' in tried ? testOf(tried.tried, body) : undefined;
      if (!test) return show(req, res, 400, ['Try the rule set on a period first, then keep what it gave.']);
      tests.push({ ...test, description: body.description?.trim() || test.description });
    }
    const draft: RuleSetDraft = { ...document, tests };
    try {
      await saveEdit(deps, draft, editorOf(principalOf(req)), body.revision ?? revision);
    } catch (err) {
      const refused = toCovenantError(err);
      if (!refused || statusOf(refused) >= 500) throw err;
      return show(
        req,
        res,
        statusOf(refused),
        refused.issues.map((i) => i.message),
      );
    }
    res.redirect(303, `/rulesets/${encodeURIComponent(id)}/try?saved=1`);
  });

  /** The draft on a contract's period, or why it cannot be tried there. */
  async function attempt(
    document: RuleSetDraft,
    contract: string,
    period: string,
  ): Promise<{ tried: TriedPeriod; state: ContractState } | { refused: string }> {
    let state: ContractState;
    try {
      state = await deps.reads.state(contract);
    } catch (err) {
      const refused = toCovenantError(err);
      if (refused && statusOf(refused) < 500) return { refused: `There is no contract ${contract}.` };
      throw err;
    }
    const found = state.periods.find((p) => p.id === period);
    if (!found || (!found.report && !found.review))
      return { refused: `${contract} has no reported ${period} to try the rule set on.` };
    const revision = state.revisions[(found.review?.revision ?? found.revision) - 1];
    const tried = await deps.runner.tryPeriod(document, {
      indicators: revision?.indicators ?? [],
      actuals: agreedActuals(found),
      id: found.id,
      context: periodContext(state, found),
    });
    return { tried, state };
  }

  async function show(req: Request, res: Response, status: number, general: string[] = []) {
    const id = String(req.params.id);
    const { document, revision } = await editableDraft(deps.client, id);
    const contract = typeof req.query.contract === 'string' ? req.query.contract.trim() : '';
    const period = typeof req.query.period === 'string' ? req.query.period : 'Q1';
    let view: Record<string, unknown> | undefined;
    if (contract) {
      try {
        const outcome = await attempt(document, contract, period);
        if ('refused' in outcome) general.push(outcome.refused);
        else view = triedView(document, outcome.tried, outcome.state, period);
      } catch (err) {
        const refused = toCovenantError(err);
        if (!refused || statusOf(refused) >= 500) throw err;
        general.push(...refused.issues.map((i) => i.message));
      }
    }
    const ruleSet = await findRuleSet(deps.client, id);
    const failures = new Map<number, string>();
    for (const d of ruleSet?.draft?.validation?.diagnostics ?? []) {
      const at = /^\/tests\/(\d+)$/.exec(d.pointer)?.[1];
      if (at !== undefined) failures.set(Number(at), d.message);
    }
    pages.send(res, status, 'ruleset-try', {
      id,
      name: document.name,
      revision,
      saved: req.query.saved === '1',
      general,
      contract,
      periods: ['Q1', 'Q2', 'Q3', 'Q4'].map((p) => ({ name: p, selected: p === period })),
      tried: view,
      grades: document.scoring.grades ?? [],
      tests: (document.tests ?? []).map((t, index) => ({
        index,
        ...t,
        data: JSON.stringify(t.data),
        expected: JSON.stringify(t.expect),
        failure: ruleSet?.draft ? failures.get(index) : undefined,
        checked: ruleSet?.draft?.validation !== undefined,
      })),
    });
  }

  return router;
}

/** What the page shows of a try: the outcome beside the review, each part with what keeping it would assert. */
function triedView(document: RuleSetDraft, tried: TriedPeriod, state: ContractState, period: string) {
  const { result } = tried;
  const review = state.periods.find((p) => p.id === period)?.review;
  const bands = bandsOf(document.scoring.grade, document.studio?.grade);
  const table = tableOf(document.scoring.indicator, document.studio?.indicator);
  const score = result.score;
  const row =
    score === null
      ? undefined
      : bands?.bands.findIndex((b) => (bands.comparison === '<=' ? score <= b.limit : score >= b.limit));
  return {
    contract: state.id,
    title: state.title,
    period,
    before: review && {
      score: review.score,
      grade: review.grade,
      escalations: review.escalations.map((e) => e.id),
    },
    after: { score, grade: result.grade, escalations: result.escalations.map((e) => e.id) },
    problems: result.problems ?? [],
    band:
      bands && row !== undefined
        ? row >= 0
          ? `row ${row + 1} of the grade bands (${bands.comparison === '<=' ? 'at most' : 'at least'} ${bands.bands[row]!.limit})`
          : 'the last line of the grade bands (every other composite)'
        : undefined,
    indicators: result.indicators.map((s) => ({
      ref: s.id,
      name: s.name,
      actual: s.actual,
      periodTarget: s.periodTarget ?? s.target,
      score: s.score,
      rows: table && rowsUsed(table, tried.inputs[s.id] as Parameters<typeof rowsUsed>[1]),
      keep: `Keep: ${s.id}'s score`,
      reviewed: review?.indicators.find((r) => r.id === s.id)?.score,
    })),
    composite: tried.compositeInput !== null && score !== null,
    escalations: document.escalations.map((e) => {
      const fired = tried.fired[e.id] === true;
      return { ref: e.id, fired, keep: `Keep: ${e.id} ${fired ? 'fires' : 'does not fire'}` };
    }),
    graded: tried.facts !== null,
  };
}

/** The test case a try gives for the part the form names: the data its rule read, the result it gave. */
function testOf(tried: TriedPeriod, body: Body): RuleSetTest | undefined {
  const { result } = tried;
  const where = `${body.contract} ${body.period}`;
  const ref = body.ref ?? '';
  switch (body.kind as Kind | undefined) {
    case 'grade':
      return result.score === null
        ? undefined
        : {
            description: `${where}: ${result.score} is ${result.grade}`,
            slot: 'scoring.grade',
            data: { composite: result.score },
            expect: result.grade,
          };
    case 'composite':
      return tried.compositeInput === null || result.score === null
        ? undefined
        : {
            description: `${where}: the composite is ${result.score}`,
            slot: 'scoring.composite',
            data: tried.compositeInput,
            expect: result.score,
          };
    case 'indicator': {
      const scored = result.indicators.find((s) => s.id === ref);
      if (!scored || scored.score === null || !(ref in tried.inputs)) return undefined;
      return {
        description: `${where}: ${ref} at ${scored.actual ?? 'not reported'} scores ${scored.score}`,
        slot: 'scoring.indicator',
        data: tried.inputs[ref],
        expect: scored.score,
      };
    }
    case 'escalation': {
      if (tried.facts === null || !(ref in tried.fired)) return undefined;
      const fired = tried.fired[ref] === true;
      return {
        description: `${where}: ${ref} ${fired ? 'fires' : 'does not fire'}`,
        slot: `escalations.${ref}`,
        data: tried.facts,
        expect: fired,
      };
    }
    default:
      return undefined;
  }
}
