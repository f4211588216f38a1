// Charts as SVG, rendered on the server by Vega-Lite and Vega without a canvas (text widths are
// estimated): the same markup goes into documents and pages, with no script and no style attribute.
import type { PeriodState } from '../model/state.js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

const COLOURS = { actual: '#0b5394', target: '#38761d', baseline: '#999999' } as const;

/** SVG markup of a Vega-Lite specification. */
export async function renderChart(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
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
    renderChart({
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
    renderChart({
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
