// What-if before publishing: the rule set's draft run over the portfolio as the read model holds
// it (each reviewed period's terms and agreed figures), against the grades those periods got from
// their own rule sets: how many change, which way, the grades before and after as a chart, and
// the contracts that move; or (?of=year) the same for the annual evaluation of each complete year.
import type { Client } from '@temporalio/client';
import { Router, type RequestHandler } from 'express';
import { CovenantError } from '../../model/errors.js';
import type { ReadModel } from '../../store/read-model.js';
import { whatIfChart } from '../../templates/charts.js';
import { principalOf } from '../auth/access.js';
import type { Pages } from '../pages.js';
import { simulatedPortfolio } from '../portfolio.js';
import type { RuleRunner } from '../rule-runner/index.js';
import { findPublishedVersion, findRuleSet } from '../ruleset-registry.js';

/** Changed periods listed on the page (the summary counts them all). */
const LISTED = 200;

export function studioWhatIfRoutes(
  deps: { client: Client; runner: RuleRunner; readModel: ReadModel },
  pages: Pages,
): Router {
  const router = Router();

  // Whoever may run the what-if opens a rule set first: the threads read the portfolio's figures
  // meanwhile, so the what-if finds them kept (warm) rather than reading them all then.
  const warm: RequestHandler = (req, _res, next) => {
    const role = principalOf(req)?.role;
    if (role === 'admin' || role === 'viewer')
      deps.runner.warm(() => simulatedPortfolio(deps.readModel)).catch(() => {});
    next();
  };
  router.get('/rulesets', warm);
  router.get('/rulesets/:id', warm);

  router.get('/rulesets/:id/what-if', async (req, res) => {
    const id = String(req.params.id);
    const view = await findRuleSet(deps.client, id);
    if (!view) throw new CovenantError('not-found', [{ pointer: '', message: `No rule set '${id}'` }]);
    const latest = view.versions.at(-1);
    const ruleSet =
      view.draft?.ruleSet ??
      (latest && (await findPublishedVersion(deps.client, id, latest.version))?.ruleSet);
    if (!ruleSet)
      throw new CovenantError('not-found', [{ pointer: '', message: `'${id}' has nothing to run` }]);
    const year = req.query.of === 'year';
    const started = Date.now();
    const simulation = await deps.runner.simulate(
      ruleSet,
      await simulatedPortfolio(deps.readModel),
      { onlyGradeChanged: true, of: year ? 'year' : 'periods' },
      { offset: 0, limit: LISTED },
      '',
    );
    const { summary } = simulation;
    const errors = simulation.validation.diagnostics.filter((d) => d.severity === 'error');
    const grades = ruleSet.scoring.grades ?? [];
    const moves = simulation.contracts.flatMap((c) =>
      c.periods
        .filter((p) => p.before && p.after && p.before.grade !== p.after.grade)
        .map((p) => ({
          id: c.id,
          title: c.title,
          period: p.period,
          before: p.before!,
          after: p.after!,
          change: p.change,
        })),
    );
    pages.send(res, 200, 'ruleset-what-if', {
      id,
      year,
      name: ruleSet.name,
      source: view.draft ? `draft revision ${view.draft.revision}` : `version ${latest?.version}`,
      summary,
      // A failing test case does not stop the simulation; a rule with an error fails its periods.
      ruleErrors: errors.filter((d) => !/^\/tests\/\d+$/.test(d.pointer)).length,
      failingTests: errors.filter((d) => /^\/tests\/\d+$/.test(d.pointer)).length,
      grades,
      seconds: ((Date.now() - started) / 1000).toFixed(1),
      chart:
        summary.periods > 0
          ? await whatIfChart(grades, summary.grades.before, summary.grades.after, year ? 'years' : 'periods')
          : undefined,
      moves,
      more: Math.max(0, summary.gradesChanged - moves.length),
    });
  });

  return router;
}
