// Charts as SVG, rendered on the server by Vega-Lite and Vega without a canvas (text widths are
// estimated): the same markup goes into documents and pages, with no script and no style attribute.
import type { Indicator } from '../model/contract.js';
import { periodIds, quarterTargets } from '../model/phasing.js';
import type { IndicatorScore, PeriodState } from '../model/state.js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

const COLOURS = { actual: '#0b5394', target: '#38761d', baseline: '#999999' } as const;

/** SVG markup of a Vega-Lite specification: one image, `description` its text alternative. */
export async function renderChart(description: string, spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return accessible(await view.toSVG(), description);
  } finally {
    view.finalize();
  }
}

/**
 * A chart is one image to assistive technology, described in words (the figures are in the
 * tables beside it): Vega's own roles and labels on each mark are taken out, the SVG gets
 * role="img" and the description as its label and title.
 */
function accessible(svg: string, description: string): string {
  const text = description.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return svg
    .replace(/\s(?:role|aria-roledescription|aria-label)="[^"]*"/g, '')
    .replace(/^<svg /, `<svg role="img" aria-label="${text}" `)
    .replace(/^(<svg[^>]*>)/, `$1<title>${text}</title>`);
}

interface Point {
  indicator: string;
  period: string;
  series: keyof typeof COLOURS;
  value: number;
}

/**
 * A year's charts from its reviewed periods: each indicator's actual against its quarter's target
 * and baseline (small multiples, each on its own scale), and the composite over the quarters.
 */
export async function yearCharts(periods: readonly PeriodState[]): Promise<{ indicators: string; composite: string }> {
  const points: Point[] = [];
  const composites: { period: string; composite: number }[] = [];
  for (const period of periods) {
    const review = period.review;
    if (!review) continue;
    if (review.score !== null) composites.push({ period: period.id, composite: review.score });
    for (const s of review.indicators) {
      const indicator = s.unit ? `${s.name} (${s.unit})` : s.name;
      if (s.actual !== null) points.push({ indicator, period: period.id, series: 'actual', value: s.actual });
      points.push({ indicator, period: period.id, series: 'target', value: s.periodTarget ?? s.target });
      points.push({ indicator, period: period.id, series: 'baseline', value: s.baseline });
    }
  }
  const series = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain: Object.keys(COLOURS), range: Object.values(COLOURS) },
  } as const;
  const [indicators, composite] = await Promise.all([
    renderChart('Each indicator\'s agreed actual against its quarter\'s target and its baseline, quarter by quarter', {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values: points },
      facet: { field: 'indicator', type: 'nominal', title: null, header: { labelLimit: 220 } },
      columns: 3,
      spec: {
        width: 180,
        height: 90,
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'period', type: 'ordinal', title: null, axis: { labelAngle: 0 } },
          y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
          color: series,
          strokeDash: { field: 'series', type: 'nominal', title: null, scale: { domain: Object.keys(COLOURS) } },
        },
      },
      resolve: { scale: { y: 'independent' } },
    }),
    renderChart('The composite score of each quarter\'s review', {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values: composites },
      width: 360,
      height: 120,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'period', type: 'ordinal', title: null, axis: { labelAngle: 0 } },
        y: { field: 'composite', type: 'quantitative', title: 'composite', scale: { zero: false } },
      },
    }),
  ]);
  return { indicators, composite };
}

/** Grade colours by place on the scale, best first: five steps from green to red. */
const GRADE_COLOURS = ['#1a9850', '#91cf60', '#e6c229', '#fc8d59', '#d73027'];

function gradeColour(place: number, count: number): string {
  const at = count < 2 ? 0 : Math.round((place / (count - 1)) * (GRADE_COLOURS.length - 1));
  return GRADE_COLOURS[at]!;
}

interface Distribution {
  category: string | null;
  ruleSet: string;
  grade: string;
  count: number;
  place: number;
}

interface Movement {
  category: string | null;
  ruleSet: string;
  up: number;
  down: number;
  same: number;
  new: number;
}

function tableLabel(t: { category: string | null; ruleSet: string }): string {
  return `${t.category ?? 'No category'} · ${t.ruleSet}`;
}

/**
 * A portfolio review's charts: the grades of each league table as stacked bars (coloured from the
 * best grade to the worst), and how many contracts rose, fell, stayed or were new in each table.
 */
export async function portfolioCharts(
  distribution: readonly Distribution[],
  movement: readonly Movement[],
): Promise<{ distribution: string; movement: string }> {
  const grades: string[] = [];
  const colours: string[] = [];
  const perTable = new Map<string, number>();
  for (const d of distribution) perTable.set(tableLabel(d), (perTable.get(tableLabel(d)) ?? 0) + 1);
  for (const d of distribution) {
    if (grades.includes(d.grade)) continue;
    grades.push(d.grade);
    colours.push(gradeColour(d.place, perTable.get(tableLabel(d)) ?? 1));
  }
  const bars = distribution
    .filter((d) => d.count > 0)
    .map((d) => ({ table: tableLabel(d), grade: d.grade, count: d.count, order: d.place }));
  const moves = movement.flatMap((m) =>
    (['up', 'same', 'down', 'new'] as const).map((kind) => ({ table: tableLabel(m), kind, count: m[kind] })),
  );
  const [gradesSvg, movementSvg] = await Promise.all([
    renderChart('Grades in each league table, best first', {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values: bars },
      width: 520,
      mark: 'bar',
      encoding: {
        y: { field: 'table', type: 'nominal', title: null, axis: { labelLimit: 260 } },
        x: { field: 'count', type: 'quantitative', title: 'contracts', stack: 'normalize', axis: { format: '%' } },
        color: { field: 'grade', type: 'nominal', title: 'grade', scale: { domain: grades, range: colours } },
        order: { field: 'order', type: 'quantitative' },
      },
    }),
    renderChart('Contracts that rose, stayed, fell or are new in each league table', {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values: moves },
      width: 520,
      mark: 'bar',
      encoding: {
        y: { field: 'table', type: 'nominal', title: null, axis: { labelLimit: 260 } },
        yOffset: { field: 'kind', type: 'nominal', sort: ['up', 'same', 'down', 'new'] },
        x: { field: 'count', type: 'quantitative', title: 'contracts', axis: { tickMinStep: 1, format: 'd' } },
        color: {
          field: 'kind',
          type: 'nominal',
          title: 'since last time',
          scale: { domain: ['up', 'same', 'down', 'new'], range: ['#1a9850', '#999999', '#d73027', '#0b5394'] },
        },
      },
    }),
  ]);
  return { distribution: gradesSvg, movement: movementSvg };
}

/**
 * A quarter's review at a glance: how far each indicator came from its baseline towards its
 * quarter's target (100% = target met, below 0 = worse than the baseline), in either direction.
 * Drawn in the quarter-end storm's path, so its specification is compiled and parsed once per
 * process and only the data changes: about 4 ms a chart (bench:documents).
 */
export async function reviewChart(indicators: readonly IndicatorScore[]): Promise<string> {
  const values = indicators.flatMap((s) => {
    const target = s.periodTarget ?? s.target;
    if (s.actual === null || target === s.baseline) return [];
    const progress = Math.round(((s.actual - s.baseline) / (target - s.baseline)) * 100);
    const status = progress >= 100 ? 'target met' : progress >= 50 ? 'half way or more' : 'less than half way';
    return [{ indicator: s.unit ? `${s.name} (${s.unit})` : s.name, progress, shown: Math.max(-50, Math.min(150, progress)), status }];
  });
  const view = new vega.View((progressRuntime ??= vega.parse(compile(PROGRESS_SPEC).spec)), { renderer: 'none' });
  try {
    view.data('indicators', values);
    return accessible(
      await view.toSVG(),
      "How far each indicator came from its baseline towards its quarter's target (100% is the target met)",
    );
  } finally {
    view.finalize();
  }
}

let progressRuntime: vega.Runtime | undefined;

const PROGRESS_SPEC: TopLevelSpec = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  data: { name: 'indicators' },
  width: 420,
  layer: [
    {
      mark: 'bar',
      encoding: {
        y: { field: 'indicator', type: 'nominal', title: null, sort: null, axis: { labelLimit: 260 } },
        x: {
          field: 'shown',
          type: 'quantitative',
          title: '% of the way from the baseline (0) to the quarter target (100)',
          scale: { domain: [-50, 150] },
        },
        color: {
          field: 'status',
          type: 'nominal',
          title: null,
          scale: {
            domain: ['target met', 'half way or more', 'less than half way'],
            range: ['#1a9850', '#e6c229', '#d73027'],
          },
        },
      },
    },
    { mark: { type: 'rule', color: '#1f2933', strokeDash: [4, 3] }, encoding: { x: { datum: 100 } } },
    { mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 }, encoding: { y: { field: 'indicator', type: 'nominal', sort: null }, x: { field: 'shown', type: 'quantitative' }, text: { field: 'progress', type: 'quantitative', format: 'd' } } },
  ],
};

const PLAN_COLOURS = { history: '#7b8794', baseline: '#999999', target: '#38761d' } as const;

/**
 * The terms as a plan: each indicator's past values (its history, oldest first), its baseline,
 * and the target of each quarter (phased or explicit), small multiples on their own scales.
 */
export async function planChart(indicators: readonly Indicator[], quarters: number): Promise<string> {
  const ids = periodIds(quarters);
  const order: string[] = [];
  const points: { indicator: string; at: string; series: keyof typeof PLAN_COLOURS; value: number }[] = [];
  const longest = Math.max(0, ...indicators.map((i) => i.history?.length ?? 0));
  for (let n = longest; n >= 1; n--) order.push(`year -${n}`);
  order.push(...ids);
  for (const indicator of indicators) {
    const name = indicator.unit ? `${indicator.name} (${indicator.unit})` : indicator.name;
    const history = indicator.history ?? [];
    history.forEach((value, i) =>
      points.push({ indicator: name, at: `year -${history.length - i}`, series: 'history', value }),
    );
    quarterTargets(indicator, ids).forEach((value, i) => {
      points.push({ indicator: name, at: ids[i]!, series: 'target', value });
      points.push({ indicator: name, at: ids[i]!, series: 'baseline', value: indicator.baseline });
    });
  }
  return renderChart('Each indicator\'s history, baseline and quarter targets', {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: points },
    facet: { field: 'indicator', type: 'nominal', title: null, header: { labelLimit: 220 } },
    columns: 3,
    spec: {
      width: 180,
      height: 90,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'at', type: 'ordinal', title: null, sort: order, axis: { labelAngle: 0 } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: {
          field: 'series',
          type: 'nominal',
          title: null,
          scale: { domain: Object.keys(PLAN_COLOURS), range: Object.values(PLAN_COLOURS) },
        },
      },
    },
    resolve: { scale: { y: 'independent' } },
  });
}

/** The composite of each year, the year evaluated last included: the contract over the years. */
export async function yearsChart(years: readonly { year: number; score: number }[]): Promise<string> {
  return renderChart('The composite score of each year', {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: years.map((y) => ({ year: `year ${y.year}`, composite: y.score })) },
    width: 360,
    height: 120,
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'year', type: 'ordinal', title: null, sort: null, axis: { labelAngle: 0 } },
      y: { field: 'composite', type: 'quantitative', title: 'composite', scale: { zero: false } },
    },
  });
}

/** The mean composite of each league table, quarter after quarter (oldest first): the portfolio's trend. */
export async function trendChart(
  points: readonly { quarter: string; table: string; mean: number }[],
): Promise<string> {
  return renderChart('Each league table\'s mean composite, quarter by quarter', {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: points.map((p) => ({ ...p })) },
    width: 520,
    height: 200,
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'quarter', type: 'ordinal', title: null, sort: null, axis: { labelAngle: 0 } },
      y: { field: 'mean', type: 'quantitative', title: 'mean composite', scale: { zero: false }, axis: { format: '.2f' } },
      color: { field: 'table', type: 'nominal', title: 'table', legend: { orient: 'bottom', columns: 1, labelLimit: 400 } },
    },
  });
}

/** How many periods each grade gets as reviewed and by the draft, side by side: a what-if's shift. */
export async function whatIfChart(
  grades: readonly string[],
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
  of: 'periods' | 'years' = 'periods',
): Promise<string> {
  const names = [...new Set([...grades, ...Object.keys(before), ...Object.keys(after)])];
  const values = names.flatMap((grade) => [
    { grade, when: 'as reviewed', periods: before[grade] ?? 0 },
    { grade, when: 'by the draft', periods: after[grade] ?? 0 },
  ]);
  return renderChart(`${of === 'years' ? 'Years' : 'Periods'} per grade as reviewed and by the draft`, {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values },
    width: 420,
    mark: 'bar',
    encoding: {
      y: { field: 'grade', type: 'nominal', sort: names, title: null },
      yOffset: { field: 'when', type: 'nominal', sort: ['as reviewed', 'by the draft'] },
      x: { field: 'periods', type: 'quantitative', title: of, axis: { tickMinStep: 1, format: 'd' } },
      color: {
        field: 'when',
        type: 'nominal',
        title: null,
        scale: { domain: ['as reviewed', 'by the draft'], range: ['#999999', '#0b5394'] },
      },
    },
  });
}

/** What each actual scores under an indicator rule, for an example indicator of each direction: the number line. */
export async function scoreLineChart(
  points: readonly { indicator: string; actual: number; score: number }[],
): Promise<string> {
  return renderChart('What each actual scores, for an example indicator of each direction', {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: points.map((p) => ({ ...p })) },
    columns: 2,
    facet: { field: 'indicator', type: 'nominal', title: null, header: { labelLimit: 300 } },
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: 240,
      height: 140,
      mark: { type: 'line' },
      encoding: {
        x: { field: 'actual', type: 'quantitative', title: 'actual', scale: { zero: false } },
        y: { field: 'score', type: 'quantitative', title: 'score', scale: { zero: false } },
      },
    },
  });
}
