// The rule studio end to end as a performance officer uses it, over a portfolio of 240 contracts
// (seeded into the read model, reviewed and evaluated under the default) and one real contract: a
// new rule set from the default, a band tightened in the table, an escalation "two quarters in a row
// below target" from a template, a test case kept from a try, the what-if for the quarters and for
// the annual evaluation showing the grades that change, publication, and a new contract pinned to
// the version through the contract form. No JSON typed.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import type { RuleSetView } from '../../workflows/messages.js';
import { launchBrowser } from '../support/browser.js';
import {
  backdatedPeriod,
  contractState,
  exampleContract,
  signedWithQ1Review,
  uniqueId,
} from '../support/contracts.js';
import { seedPortfolio } from '../support/portfolio.js';
import { OFFICE, signedInContext } from '../support/sessions.js';
import { api, startTestStack } from '../support/stack.js';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startTestStack();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const SEEDED = 240;

/** The numbers of a what-if page's summary line. */
function numbers(text: string): number[] {
  return [...text.matchAll(/\d+/g)].map((m) => Number(m[0]));
}

describe('the rule studio over a portfolio', () => {
  it('takes a rule set from the default to a pinned contract, with a what-if over 241 contracts', async () => {
    await seedPortfolio(stack, uniqueId('PC-SEED'), SEEDED);
    const real = exampleContract({ id: uniqueId('PC-REAL'), period: backdatedPeriod(4, 30) });
    await signedWithQ1Review(stack, real);
    const id = uniqueId('county-2028').toLowerCase();
    const office = await signedInContext(browser, stack, OFFICE);
    const page = await office.newPage();

    // A new rule set from the default; Very Good tightened from 3 to 2.8 in the bands table.
    await page.goto(`${stack.urls.app}/rulesets/default`);
    await page.getByLabel('Id (e.g. county-2028)').fill(id);
    await page.getByLabel('Name', { exact: true }).fill('County 2028');
    await page.getByRole('button', { name: 'Start the new rule set' }).click();
    await page.waitForURL(`**/rulesets/${id}?draft=1`);
    await page.getByRole('link', { name: 'Edit the grade bands' }).click();
    await page.getByLabel('Limit, row 2', { exact: true }).fill('2.8');
    await page.getByRole('button', { name: 'Save the draft' }).click();
    await page.waitForURL('**done=saved');

    // An escalation from a template: two quarters in a row below target.
    await page.getByRole('link', { name: 'Edit the escalations' }).click();
    await page.getByLabel('Template').selectOption('two-below-target');
    await page.getByLabel(/^Below target means a composite worse than/).fill('3');
    await page.getByLabel('Id of the escalation').fill('two-below-target');
    await page.getByLabel('Message').fill('Below target two quarters running.');
    await page.getByRole('button', { name: 'Add the escalation' }).click();
    await page.waitForURL('**/escalations?saved=1');

    // A test case kept from a try on the real contract's Q1, and run.
    await page.goto(`${stack.urls.app}/rulesets/${id}/try?contract=${real.id}&period=Q1`);
    await page.getByRole('button', { name: 'Keep: the grade' }).click();
    await page.waitForURL('**/try?saved=1');
    expect(await page.locator('tr', { hasText: `${real.id} Q1:` }).textContent()).toContain('passes');

    // The what-if over the quarters: 241 contracts, every change a worse grade (the band is stricter).
    await page.goto(`${stack.urls.app}/rulesets/${id}/what-if`);
    const quarters = numbers((await page.locator('main p').nth(1).textContent()) ?? '');
    const [contracts, periods, changed, better, worse] = quarters;
    expect([contracts, periods]).toEqual([SEEDED + 1, SEEDED * 4 + 1]);
    expect(changed).toBeGreaterThan(0);
    expect([better, worse]).toEqual([0, changed]);
    expect(await page.locator('tbody tr').count()).toBe(Math.min(200, changed!));
    expect(await page.locator('main figure svg[role="img"]').count()).toBe(1);

    // The same for the annual evaluation: each seeded year is complete (the real one is not).
    await page.getByRole('link', { name: 'the annual evaluation instead' }).click();
    const years = numbers((await page.locator('main p').nth(1).textContent()) ?? '');
    expect(years[0]).toBe(SEEDED);
    expect(years[1]).toBeGreaterThan(0);
    expect([years[2], years[3]]).toEqual([0, years[1]]);
    expect(await page.locator('tbody tr').first().textContent()).toMatch(
      /year\s*Very Good [\d.]+\s*Good [\d.]+\s*worse/,
    );

    // Published by one admin (no second approver configured here).
    await page.goto(`${stack.urls.app}/rulesets/${id}?draft=1`);
    await page.getByRole('button', { name: 'Publish this draft' }).click();
    await page.waitForURL('**done=published');

    // Next year's contract from the form, pinned to the new version.
    await page.goto(`${stack.urls.app}/contracts/new?from=${real.id}`);
    await page.locator('[name="id"]').fill(`${real.id}-2028`);
    await page.getByLabel('Rule set', { exact: true }).selectOption(`${id}@1`);
    await page.getByRole('button', { name: 'Send to the unit to agree' }).click();
    await page.waitForURL(`**/contracts/${real.id}-2028?done=created`);
    expect((await contractState(stack, `${real.id}-2028`)).ruleSet).toEqual({ id, version: 1 });
    const published = (await api<RuleSetView>(stack, 'GET', `/api/v1/rulesets/${id}`)).body;
    expect(published.versions.map((v) => v.version)).toEqual([1]);
    await office.close();
  });
});
