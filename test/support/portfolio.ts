// A portfolio of many contracts for the studio's what-if in the browser, written into the read
// model's table as the simulation bench writes it (bench/simulate-read-model.ts): seeded figures
// (bench/fixtures/portfolio.ts), each quarter and each year scored by the built-in default as its
// review and evaluation would have been. Making hundreds of contracts through their workflows would
// take minutes; the what-if reads only these rows.
import type { Stack } from '../../cli/stack.js';
import { figureOf, yearValues } from '../../rules/evaluation.js';
import { findBuiltInRuleSet } from '../../rules/library/index.js';
import { scorePeriod } from '../../rules/scoring.js';
import type { SimulationContract } from '../../rules/simulate.js';
import { encodeFigures } from '../../rules/simulation-figures.js';
import { generatePortfolio } from '../../bench/fixtures/portfolio.js';

/** Writes `count` contracts, ids `${prefix}-<n>`, reviewed and evaluated under default v1. */
export async function seedPortfolio(stack: Stack, prefix: string, count: number): Promise<void> {
  const defaults = findBuiltInRuleSet('default', 1)!;
  const contracts: SimulationContract[] = generatePortfolio(count).map((c, n) => {
    const periods = c.periods.map((p) => {
      const review = scorePeriod(defaults, [...p.indicators], { ...p.actuals }, p.id);
      return {
        ...p,
        ...(review.score === null
          ? {}
          : {
              before: {
                score: review.score,
                grade: review.grade,
                escalations: review.escalations.map((e) => e.id),
              },
            }),
      };
    });
    const terms = periods.at(-1)!.indicators;
    const year = scorePeriod(
      defaults,
      [...terms],
      yearValues(
        terms,
        defaults.scoring.aggregation,
        periods.map((p) => terms.map((i) => figureOf(p.actuals, i.id))),
      ),
      'year',
    );
    return {
      id: `${prefix}-${n}`,
      title: `Seeded contract ${n}`,
      quarters: periods.length,
      periods,
      ...(year.score === null ? {} : { evaluation: { score: year.score, grade: year.grade } }),
    };
  });
  await stack.database.query(
    `insert into contracts (id, version, title, stage, year, unit_name, unit_signatory, principal_name, managers,
       rule_set_id, rule_set_version, period_start, period_end, late, created_at, state, figures, simulated_periods)
     select id, 1, title, 'evaluation', 2027, 'Unit ' || id, 'head@unit.example', 'Principal', '{}', 'default', 1,
       '2027-01-01', '2027-12-31', false, now(), '{}', figures, periods
       from jsonb_to_recordset($1::jsonb) as t(id text, title text, figures text, periods int)`,
    [
      JSON.stringify(
        contracts.map((c) => ({
          id: c.id,
          title: c.title,
          figures: encodeFigures(c),
          periods: c.periods.length,
        })),
      ),
    ],
  );
}
