// What documents cost: a review document (HTML, as the quarter-end storm writes it) against its
// PDF, and the portfolio document of a 1,000-contract portfolio (league tables, charts) as HTML
// and as PDF, printed by the real headless Chromium. Prints milliseconds (median of the warm
// runs) and the ratios, measured in one run.
//   npm run bench:documents -- --contracts 1000 --times 5
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PdfRenderer, titleOf } from '../activities/pdf.js';
import { projectRoot } from '../cli/temporal-binaries.js';
import type { ContractInput } from '../model/contract.js';
import { scaleKey, portfolioSummary, type Scale } from '../model/portfolio-review.js';
import type { QuarterRow } from '../model/league.js';
import type { PeriodState } from '../model/state.js';
import { builtInRuleSet } from '../rules/library/index.js';
import { scorePeriod } from '../rules/scoring.js';
import { portfolioCharts, reviewChart, yearCharts } from '../templates/charts.js';
import { Templates } from '../templates/index.js';
import { readFileSync } from 'node:fs';

const { values: args } = parseArgs({
  options: { contracts: { type: 'string', default: '1000' }, times: { type: 'string', default: '5' } },
});
const contracts = Number(args.contracts);
const times = Number(args.times);
const templates = new Templates(join(projectRoot, 'templates'));
const renderer = new PdfRenderer();
if (!renderer.available) throw new Error('No Chromium: run node scripts/provision-browser.mjs');

async function measure<T>(work: () => Promise<T> | T): Promise<{ ms: number; result: T }> {
  let result = await work(); // warm: Chromium launched, templates and Vega loaded
  const runs: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    result = await work();
    runs.push(performance.now() - started);
  }
  runs.sort((a, b) => a - b);
  return { ms: runs[Math.floor(runs.length / 2)]!, result };
}

// A review document of the example contract's eight indicators.
const example = JSON.parse(
  readFileSync(join(projectRoot, 'examples', 'county-health-2027.json'), 'utf8'),
) as ContractInput;
const actuals = (
  JSON.parse(readFileSync(join(projectRoot, 'examples', 'q1-report.json'), 'utf8')) as {
    actuals: Record<string, number>;
  }
).actuals;
const ruleSet = builtInRuleSet('default')!;
const score = scorePeriod(ruleSet, example.indicators, actuals, 'Q1');
const period: PeriodState = {
  id: 'Q1',
  start: '2027-07-01',
  end: '2027-09-30',
  due: '2027-10-15',
  revision: 1,
  requested: true,
  ladder: [],
  late: false,
  moderations: [],
  superseded: [],
  report: { actuals, submittedAt: '2027-10-10T09:00:00.000Z', late: false },
};
const reviewRequest = {
  contract: {
    id: example.id,
    title: example.title,
    year: 1,
    unit: example.unit,
    principal: example.principal,
    ruleSet: {
      id: 'default',
      version: 1,
      name: ruleSet.name,
      grades: ruleSet.scoring.grades,
      better: ruleSet.scoring.better,
    },
  },
  period,
  review: { reviewedAt: '2027-10-10T09:00:01.000Z', revision: 1, version: 1, ...score },
  version: 1,
};
const reviewText = await measure(() => templates.render('documents/review', reviewRequest));
const reviewHtml = await measure(async () =>
  templates.render('documents/review', {
    ...reviewRequest,
    charts: { progress: await reviewChart(reviewRequest.review.indicators) },
  }),
);
const yearChartsOf = await measure(() => yearCharts([{ ...period, review: reviewRequest.review }]));
const reviewPdf = await measure(() => renderer.render(reviewHtml.result, titleOf(reviewHtml.result)));

// A portfolio of `contracts` in five categories, two of them on a higher-is-better scale.
const categories = ['Counties', 'Ministries', 'State corporations', 'Tertiary institutions', 'Water boards'];
const scales = new Map<string, Scale>([
  [scaleKey('default', 1), { better: 'lower', grades: ruleSet.scoring.grades ?? [] }],
  [scaleKey('percent', 1), { better: 'higher', grades: builtInRuleSet('percent')!.scoring.grades ?? [] }],
]);
const rows = (quarter: number): QuarterRow[] =>
  Array.from({ length: contracts }, (_, i) => {
    const onPercent = i % 5 >= 3;
    const score = onPercent ? 40 + ((i * 37 + quarter * 11) % 60) : 1 + ((i * 13 + quarter * 7) % 400) / 100;
    return {
      id: `PC-${String(i).padStart(5, '0')}`,
      title: `Performance contract ${i}`,
      unit: `Unit ${i}`,
      category: categories[i % 5]!,
      ruleSetId: onPercent ? 'percent' : 'default',
      ruleSetVersion: 1,
      score,
      grade: onPercent
        ? score >= 70
          ? 'Good'
          : 'Poor'
        : ['Excellent', 'Very Good', 'Good', 'Fair', 'Poor'][Math.min(4, Math.floor(score - 1))]!,
    };
  });
const [now, before] = [rows(2), rows(1)];
const portfolioHtml = await measure(async () => {
  const summary = portfolioSummary({
    year: 2027,
    period: 'Q2',
    asOf: '2028-01-20T06:00:00.000Z',
    progress: { due: contracts, done: contracts },
    rows: now,
    before,
    scales,
  });
  return templates.render('documents/portfolio', {
    ...summary,
    annual: false,
    version: 1,
    charts: await portfolioCharts(summary.distribution, summary.movement),
    ranked: contracts,
  });
});
const portfolioPdf = await measure(() =>
  renderer.render(portfolioHtml.result, titleOf(portfolioHtml.result)),
);
await renderer.close();

const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;
console.log(
  `review document, 8 indicators: HTML ${ms(reviewHtml.ms)} (${kb(reviewHtml.result.length)}) with its chart, ${ms(reviewText.ms)} without (the chart: ${ms(reviewHtml.ms - reviewText.ms)}); PDF ${ms(reviewPdf.ms)} (${kb(reviewPdf.result.length)}): PDF/HTML ${(reviewPdf.ms / reviewHtml.ms).toFixed(0)}x`,
);
console.log(
  `evaluation charts (facets per indicator and the composite, one quarter): ${ms(yearChartsOf.ms)}`,
);
console.log(
  `portfolio document, ${contracts} contracts, 10 tables, 2 charts: HTML ${ms(portfolioHtml.ms)} (${kb(portfolioHtml.result.length)}), PDF ${ms(portfolioPdf.ms)} (${kb(portfolioPdf.result.length)}): PDF/HTML ${(portfolioPdf.ms / portfolioHtml.ms).toFixed(1)}x, ${(portfolioPdf.ms / reviewPdf.ms).toFixed(1)} review PDFs`,
);
