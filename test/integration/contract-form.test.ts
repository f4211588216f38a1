// The office's contract form in a real browser: rows added without a round trip, terms vetted as
// they are typed (a wrong weight shown before sending), sent, and the same with script off (the
// server marks what vetting refuses); a copy of last year's contract for the next year.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import { projectRoot } from '../../cli/temporal-binaries.js';
import type { ContractInput } from '../../model/contract.js';
import { launchBrowser } from '../support/browser.js';
import { contractState, exampleContract, uniqueId } from '../support/contracts.js';
import { OFFICE, sessionFor } from '../support/sessions.js';
import { api, startTestStack, waitForEmail } from '../support/stack.js';

const SHOTS = join(projectRoot, 'test-results', 'screenshots');

let stack: Stack;
let browser: Browser;
let session: string;

beforeAll(async () => {
  stack = await startTestStack();
  browser = await launchBrowser();
  session = await sessionFor(stack, OFFICE);
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function office(javaScriptEnabled = true): Promise<BrowserContext> {
  const context = await browser.newContext({ javaScriptEnabled });
  await context.addCookies([{ name: 'covenant_session', value: session, url: stack.urls.app }]);
  return context;
}

/** Types the contract into the form, field by field, adding rows as a person would. */
async function fill(page: Page, contract: ContractInput, addRows: 'script' | 'server'): Promise<void> {
  const set = (name: string, value: string | number) => page.locator(`[name="${name}"]`).fill(String(value));
  await set('id', contract.id);
  await set('title', contract.title);
  await set('category', contract.category ?? '');
  await page.getByLabel('Objectives').fill(contract.objectives?.join('\n') ?? '');
  await page.getByLabel('Rule set').selectOption(`${contract.ruleSet.id}@${contract.ruleSet.version}`);
  await set('period.start', contract.period.start);
  await set('period.end', contract.period.end);
  await set('period.reportDueDays', contract.period.reportDueDays);
  for (const side of ['principal', 'unit'] as const) {
    await set(`${side}.name`, contract[side].name);
    await set(`${side}.signatory.name`, contract[side].signatory.name);
    await set(`${side}.signatory.email`, contract[side].signatory.email);
  }
  const rows = async (list: string, count: number, button: string) => {
    while ((await page.locator(`#${list}-rows tr`).count()) < count) {
      await page.getByRole('button', { name: button }).click();
      if (addRows === 'server') await page.waitForLoadState();
    }
  };
  await rows('managers', contract.managers.length, 'Add a manager');
  for (const [i, manager] of contract.managers.entries()) {
    await set(`managers.${i}.name`, manager.name);
    await set(`managers.${i}.email`, manager.email);
  }
  await rows('indicators', contract.indicators.length, 'Add an indicator');
  for (const [i, indicator] of contract.indicators.entries()) {
    for (const field of ['id', 'name', 'unit', 'baseline', 'target', 'weight'] as const)
      await set(`indicators.${i}.${field}`, indicator[field] ?? '');
    await page.locator(`[name="indicators.${i}.direction"]`).selectOption(indicator.direction);
    if (indicator.history) await set(`indicators.${i}.history`, indicator.history.join(', '));
  }
}

describe("the office's contract form", () => {
  it('adds rows, shows a wrong weight before anything is sent, then creates the contract', async () => {
    const contract = exampleContract({ id: uniqueId('PC-FORM-NEW') });
    const context = await office();
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (m.text().includes('Content Security Policy')) violations.push(m.text());
    });
    await page.goto(`${stack.urls.app}/`);
    await page.getByRole('link', { name: 'New contract' }).click();
    expect(await page.locator('h1').textContent()).toBe('New contract');
    await fill(page, contract, 'script');
    // Rows came from the page's script, not a round trip: the form is still the one we filled.
    expect(await page.locator('[name="indicators.7.id"]').inputValue()).toBe(contract.indicators[7]!.id);

    // A weight of 10 where 20 was agreed: the sum is 90, and the form says so before sending.
    const weight = page.locator('[name="indicators.0.weight"]');
    await weight.fill(String(contract.indicators[0]!.weight - 10));
    await expect
      .poll(() => page.locator('#check-status').textContent(), { timeout: 10_000 })
      .toContain('Indicator weights must sum to 100');
    // A word where a number goes is marked on its field.
    await page.locator('[name="indicators.1.baseline"]').fill('many');
    await expect
      .poll(() => page.locator('[name="indicators.1.baseline"]').getAttribute('aria-invalid'), {
        timeout: 10_000,
      })
      .toBe('true');
    await page.locator('[name="indicators.1.baseline"]').fill(String(contract.indicators[1]!.baseline));
    await weight.fill(String(contract.indicators[0]!.weight));
    await expect
      .poll(() => page.locator('#check-status').textContent(), { timeout: 10_000 })
      .toContain('these terms pass every guard');
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: join(SHOTS, `contract-form-${width}.png`), fullPage: true });
    }

    await page.getByRole('button', { name: 'Send to the unit to agree' }).click();
    await page.waitForURL(`**/contracts/${contract.id}?done=created`);
    expect(await page.locator('.notice').first().textContent()).toContain('The contract is created');
    const state = await contractState(stack, contract.id);
    expect(state.revisions[0]!.indicators.map((i) => [i.id, i.weight, i.target])).toEqual(
      contract.indicators.map((i) => [i.id, i.weight, i.target]),
    );
    expect(state.managers).toEqual(contract.managers);
    await waitForEmail(
      stack,
      (m) => m.subject === `${contract.id}: please agree to revision 1`,
      'agreement request',
    );
    expect(violations).toEqual([]);
    await context.close();
  });

  it('works without script: rows added by the server, a refused weight marked, nothing created until it passes', async () => {
    const contract = exampleContract({
      id: uniqueId('PC-FORM-NOJS'),
      managers: exampleContract().managers.slice(0, 1),
    });
    const context = await office(false);
    const page = await context.newPage();
    await page.goto(`${stack.urls.app}/contracts/new`);
    await fill(
      page,
      {
        ...contract,
        indicators: contract.indicators.map((i, n) => (n === 0 ? { ...i, weight: i.weight - 10 } : i)),
      },
      'server',
    );
    await page.getByRole('button', { name: 'Send to the unit to agree' }).click();
    expect(await page.locator('.notice.bad').first().textContent()).toContain(
      'Indicator weights must sum to 100',
    );
    expect((await api(stack, 'GET', `/api/v1/contracts/${contract.id}`)).status).toBe(404);
    // What was typed is kept; an empty email is marked on its field.
    expect(await page.locator('[name="indicators.7.id"]').inputValue()).toBe(contract.indicators[7]!.id);
    await page.locator('[name="indicators.0.weight"]').fill(String(contract.indicators[0]!.weight));
    await page.locator('[name="unit.signatory.email"]').fill('');
    await page.getByRole('button', { name: 'Send to the unit to agree' }).click();
    expect(await page.locator('[name="unit.signatory.email"]').getAttribute('aria-invalid')).toBe('true');
    await page.locator('[name="unit.signatory.email"]').fill(contract.unit.signatory.email);
    await page.getByRole('button', { name: 'Send to the unit to agree' }).click();
    await page.waitForURL(`**/contracts/${contract.id}?done=created`);

    // Next year's contract from this one: the period a year on, the id and terms carried over.
    await page.getByRole('link', { name: 'Copy for next year' }).click();
    expect(await page.locator('.notice').first().textContent()).toContain(`A copy of ${contract.id}`);
    expect(await page.locator('[name="period.start"]').inputValue()).toBe('2028-07-01');
    expect(await page.locator('[name="indicators.0.target"]').inputValue()).toBe(
      String(contract.indicators[0]!.target),
    );
    await page.locator('[name="id"]').fill(`${contract.id}-NEXT`);
    await page.getByRole('button', { name: 'Send to the unit to agree' }).click();
    await page.waitForURL(`**/contracts/${contract.id}-NEXT?done=created`);
    const next = await contractState(stack, `${contract.id}-NEXT`);
    expect([next.period.start, next.period.end, next.unit.name]).toEqual([
      '2028-07-01',
      '2029-06-30',
      contract.unit.name,
    ]);
    await context.close();
  });
});
