// "Try it" and the test cases: the draft run on one contract's real figures for one period (its
// composite, grade, the band that gave the grade, the escalations that fire, beside what the
// period got when it was reviewed), kept as a test case in one click; the draft's test cases in a
// table, each passing or failing in words, removable. Saving runs them all; publishing is refused
// while one fails.
import { Router, type Request, type Response } from 'express';
import type { RuleSetDraft, RuleSetTest } from '../../model/ruleset.js';
import type { ReadModel } from '../../store/read-model.js';
import { bandsOf } from '../../rules/grade-bands.js';
import { principalOf } from '../auth/access.js';
import { statusOf, toCovenantError } from '../errors.js';
import type { Pages } from '../pages.js';
import { simulatedPortfolio } from '../portfolio.js';
import { findRuleSet } from '../ruleset-registry.js';
import { editableDraft, saveEdit, type StudioDeps } from '../studio-drafts.js';

type Body = Record<string, string | undefined>;

export function studioTryRoutes(deps: StudioDeps & { readModel: ReadModel }, pages: Pages): Router {
  const router = Router();

  router.get('/rulesets/:id/try', (req, res) => show(req, res, 200));

  // A test case added (from a try) or removed; the draft saved, its test cases run.
  router.post('/rulesets/:id/tests', async (req, res) => {
    const id = String(req.params.id);
    const body = (req.body ?? {}) as Body;
    const { document, revision } = await editableDraft(deps.client, id);
    const tests = [...(document.tests ?? [])];
    if (body.action === 'remove') tests.splice(Number(body.index), 1);
    else {
      const composite = Number(body.composite);
      const grade = body.grade ?? '';
      if (!Number.isFinite(composite) || !grade)
        return show(req, res, 400, ['Try the rule set on a period first.']);
      tests.push({
        description: body.description?.trim() || `${composite} is ${grade}`,
        slot: 'scoring.grade',
        data: { composite },
        expect: grade,
      } satisfies RuleSetTest);
    }
    const draft: RuleSetDraft = { ...document, tests };
    try {
      await saveEdit(deps, draft, principalOf(req)?.name, body.revision ?? revision);
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

  async function show(req: Request, res: Response, status: number, general: string[] = []) {
    const id = String(req.params.id);
    const { document, revision } = await editableDraft(deps.client, id);
    const contract = typeof req.query.contract === 'string' ? req.query.contract.trim() : '';
    const period = typeof req.query.period === 'string' ? req.query.period : 'Q1';
    let tried: Record<string, unknown> | undefined;
    if (contract) {
      try {
        const run = await deps.runner.simulate(
          document,
          await simulatedPortfolio(deps.readModel, [contract]),
          { onlyChanged: false },
          { offset: 0, limit: 1 },
          '',
        );
        const found = run.contracts[0]?.periods.find((p) => p.period === period);
        if (!found?.after)
          general.push(found?.error ?? `${contract} has no reviewed ${period} to try the rule set on.`);
        else {
          const bands = bandsOf(document.scoring.grade, document.studio?.grade);
          const row = bands?.bands.findIndex((b) =>
            bands.comparison === '<=' ? found.after!.score <= b.limit : found.after!.score >= b.limit,
          );
          tried = {
            contract,
            title: run.contracts[0]!.title,
            period,
            before: found.before,
            after: found.after,
            band:
              bands && row !== undefined
                ? row >= 0
                  ? `row ${row + 1} of the grade bands (${bands.comparison === '<=' ? 'at most' : 'at least'} ${bands.bands[row]!.limit})`
                  : 'the last line of the grade bands (every other composite)'
                : undefined,
          };
        }
      } catch (err) {
        const refused = toCovenantError(err);
        if (!refused || statusOf(refused) >= 500) throw err;
        general.push(...refused.issues.map((i) => i.message));
      }
    }
    const view = await findRuleSet(deps.client, id);
    const failures = new Map<number, string>();
    for (const d of view?.draft?.validation?.diagnostics ?? []) {
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
      tried,
      grades: document.scoring.grades ?? [],
      tests: (document.tests ?? []).map((t, index) => ({
        index,
        ...t,
        data: JSON.stringify(t.data),
        expected: JSON.stringify(t.expect),
        failure: view?.draft ? failures.get(index) : undefined,
        checked: view?.draft?.validation !== undefined,
      })),
    });
  }

  return router;
}
