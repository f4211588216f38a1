// Charts are SVG made on the server: names escaped, no script, no style attribute (a strict CSP
// holds), one small multiple per indicator.
import { describe, expect, it } from 'vitest';
import type { PeriodState } from '../../model/state.js';
import type { Indicator } from '../../model/contract.js';
import { planChart, portfolioCharts, reviewChart, yearCharts, yearsChart } from '../../templates/charts.js';
import { Templates } from '../../templates/index.js';
import { join } from 'node:path';
import { projectRoot } from '../../cli/temporal-binaries.js';

const periods = ['Q1', 'Q2', 'Q3', 'Q4'].map(
  (id, q) =>
    ({
      id,
      review: {
        score: 3.4 - q * 0.2,
        grade: 'Good',
        indicators: [
          {
            id: 'absorption',
            name: '<script>alert(1)</script> absorbed',
            unit: '%',
            direction: 'higher',
            baseline: 60,
            target: 75,
            periodTarget: 18.75 * (q + 1),
            weight: 50,
            actual: 15 * (q + 1),
            score: 3,
            weightedScore: 1.5,
          },
          {
            id: 'classrooms',
            name: 'Classrooms built',
            direction: 'higher',
            baseline: 28,
            target: 40,
            weight: 50,
            actual: q === 2 ? null : 10,
            score: 3,
            weightedScore: 1.5,
          },
        ],
      },
    }) as unknown as PeriodState,
);

describe('charts', () => {
  it("draw each indicator against its quarter's target and baseline, and the composite, as plain SVG", async () => {
    const { indicators, composite } = await yearCharts(periods);
    for (const svg of [indicators, composite]) {
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).not.toMatch(/<script|style=|javascript:/i);
    }
    expect(indicators).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(indicators).toContain('Classrooms built');
    for (const series of ['actual', 'target', 'baseline']) expect(indicators).toContain(`>${series}<`);
    expect(composite).toContain('>composite<');
  });

  it("draw a quarter's progress per indicator, towards its quarter target in either direction, the same for the same data", async () => {
    const indicators = periods[1]!.review!.indicators;
    const svg = await reviewChart(indicators);
    expect(svg).not.toMatch(/<script|style=|javascript:/i);
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // (30 - 60) / (37.5 - 60): 133% of the way, drawn and written; 10 classrooms, below baseline 28.
    expect(svg).toContain('>133<');
    expect(svg).toContain('>−150<'); // d3-format's minus sign
    expect(await reviewChart(indicators)).toBe(svg);
    // An indicator not reported is left out, not drawn at 0.
    expect(await reviewChart(periods[2]!.review!.indicators)).not.toContain('Classrooms built');
  });

  it('draw the plan with history and phased quarter targets, the years, and the portfolio', async () => {
    const plan = await planChart(
      [
        { id: 'a', name: 'Absorption', unit: '%', direction: 'higher', baseline: 60, target: 80, weight: 50, history: [55, 58, 60], measurement: 'to-date', phasing: 'linear' },
        { id: 'b', name: 'Classrooms', direction: 'higher', baseline: 28, target: 40, weight: 50 },
      ] as Indicator[],
      4,
    );
    expect(plan).toContain('year -3');
    expect(plan).toContain('Absorption (%)');
    for (const series of ['history', 'baseline', 'target']) expect(plan).toContain(`>${series}<`);
    const years = await yearsChart([{ year: 1, score: 3.2 }, { year: 2, score: 2.9 }]);
    expect(years).toContain('year 2');
    const portfolio = await portfolioCharts(
      [
        { category: 'Counties', ruleSet: 'default', grade: 'Good', count: 2, place: 0 },
        { category: 'Counties', ruleSet: 'default', grade: 'Poor', count: 1, place: 1 },
      ],
      [{ category: 'Counties', ruleSet: 'default', up: 1, down: 1, same: 0, new: 1 }],
    );
    for (const svg of [plan, years, portfolio.distribution, portfolio.movement])
      expect(svg).not.toMatch(/<script|style=|javascript:/i);
    expect(portfolio.distribution).toContain('Counties · default');
  });
});

describe('documents', () => {
  it('round figures by unit and group thousands', () => {
    const templates = new Templates(join(projectRoot, 'templates'));
    const html = templates.render('documents/review', {
      contract: { id: 'PC-1', title: 'T', year: 1, unit: { name: 'U' }, principal: { name: 'P' } },
      period: { id: 'Q1' },
      review: {
        indicators: [
          { name: 'Share', unit: '%', direction: 'higher', baseline: 61.04, target: 83.333333, actual: null },
          { name: 'Budget', unit: 'KES', direction: 'higher', baseline: 1234567.891, target: 12, actual: 7.5 },
        ],
      },
    });
    expect(html).toContain('<td>61</td><td>83.3</td><td class="missing">not reported</td>');
    expect(html).toContain('<td>1,234,567.89</td><td>12</td><td>7.5</td>');
  });
});
