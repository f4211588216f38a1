// Charts are SVG made on the server: names escaped, no script, no style attribute (a strict CSP
// holds), one small multiple per indicator.
import { describe, expect, it } from 'vitest';
import type { PeriodState } from '../../model/state.js';
import { yearCharts } from '../../templates/charts.js';

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
    expect(indicators).toContain('&lt;script&gt;alert(1)&lt;/script&gt; absorbed (%)');
    expect(indicators).toContain('Classrooms built');
    for (const series of ['actual', 'target', 'baseline']) expect(indicators).toContain(`>${series}<`);
    expect(composite).toContain('>composite<');
  });
});
