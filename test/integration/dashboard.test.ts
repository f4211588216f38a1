// The portfolio dashboard in a real browser, on the time-skipping server so that a report can be
// late: the late contract listed, the quarter's league table in rank order, its three charts, a
// drill-down to a contract, a wrong quarter marked on its field.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../cli/temporal-binaries.js';
import { addDays, addMonths, formatDate } from '../../model/calendar.js';
import { launchBrowser } from '../support/browser.js';
import {
  POOR_ACTUALS,
  contractState,
  exampleActuals,
  exampleContract,
  signContract,
  uniqueId,
} from '../support/contracts.js';
import { OFFICE, signedInContext } from '../support/sessions.js';
import { api, waitFor } from '../support/stack.js';
import { useTimeSkippingStack } from '../support/time-skipping.js';

const SHOTS = join(projectRoot, 'test-results', 'screenshots');
const DAY = 86_400_000;
const t = useTimeSkippingStack();
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe('the portfolio dashboard', () => {
  it('shows the late contract, a league table in rank order, and the charts', async () => {
    const { env, stack, skipTo } = t;
    const today = formatDate(await env.currentTimeMs());
    const start = addMonths(today.slice(0, 8) + '01', 1);
    const year = start.slice(0, 4);
    const period = {
      start,
      end: addDays(addMonths(start, 12), -1),
      reporting: 'quarterly' as const,
      reportDueDays: 15,
    };
    const tag = uniqueId('PC-DASH');
    const category = 'Counties';
    const [good, poor, late] = ['GOOD', 'POOR', 'LATE'].map((name) =>
      exampleContract({ id: `${tag}-${name}`, title: `Contract ${name}`, category, period }),
    );
    const signed = [];
    for (const contract of [good!, poor!, late!]) signed.push(await signContract(stack, contract));
    const q1 = signed[0]!.periods[0]!;

    await skipTo(Date.parse(q1.end) + DAY);
    for (const [contract, actuals] of [
      [good!, exampleActuals()],
      [poor!, POOR_ACTUALS],
    ] as const) {
      expect(
        (await api(stack, 'POST', `/api/v1/contracts/${contract.id}/reports`, { period: 'Q1', actuals }))
          .status,
      ).toBe(200);
    }
    // The default reporting ladder flags a report late 14 days after its due day.
    await skipTo(Date.parse(q1.due) + 15 * DAY);
    await waitFor(async () => {
      const states = await Promise.all([good!, poor!, late!].map((c) => contractState(stack, c.id)));
      return states.every((s) => s.periods[0]!.review) && states[2]!.late ? true : undefined;
    }, 'two Q1 reviews and a late report');

    const context = await signedInContext(browser, stack, OFFICE);
    const page = await context.newPage();
    await page.goto(`${stack.urls.app}/`);
    await page.getByRole('link', { name: 'Portfolio' }).click();
    await page.getByRole('textbox', { name: 'Quarter' }).fill(`${year}-Q1`);
    await page.getByRole('button', { name: 'Show' }).click();
    expect(await page.locator('h1').textContent()).toBe(`Portfolio · ${year}-Q1`);
    const lateRows = page.locator('table').first().locator('tbody tr');
    expect(await lateRows.allTextContents()).toEqual([expect.stringContaining(late!.id)]);
    const table = page.locator('h3', { hasText: category }).locator('xpath=following-sibling::div[1]//table');
    // Ranked by the reviews' own scores, on the default's inverted scale (lower is better).
    const scored = await Promise.all(
      [good!, poor!, late!].map(async (c) => ({
        title: c.title,
        score: (await contractState(stack, c.id)).periods[0]!.review!.score!,
      })),
    );
    // Competition ranks from those scores: ties share a rank (1, 2, 2).
    const rows = await table.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const cells = (tr as unknown as { cells: { textContent: string }[] }).cells;
        return [cells[1]!.textContent, Number(cells[0]!.textContent)];
      }),
    );
    expect(Object.fromEntries(rows)).toEqual(
      Object.fromEntries(scored.map((c) => [c.title, 1 + scored.filter((o) => o.score < c.score).length])),
    );
    expect(rows[0]).toEqual([good!.title, 1]);
    expect(await page.locator('main figure svg').count()).toBe(3);
    mkdirSync(SHOTS, { recursive: true });
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: join(SHOTS, `portfolio-${width}.png`), fullPage: true });
    }
    // Drill down: a line of the table opens its contract.
    await table.getByRole('link', { name: good!.title }).click();
    expect(new URL(page.url()).pathname).toBe(`/contracts/${good!.id}`);
    // A wrong quarter is marked on its field.
    await page.goto(`${stack.urls.app}/portfolio?quarter=first`);
    expect(await page.getByRole('textbox', { name: 'Quarter' }).getAttribute('aria-invalid')).toBe('true');
    await context.close();
  });
});
