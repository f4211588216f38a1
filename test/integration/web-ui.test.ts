// The pages people use, in a real browser: a signatory approves from the emailed link, and the
// contract list, the contract page and the outbox show what happened.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Stack } from '../../cli/stack.js';
import { exampleContract, uniqueId, waitForStage } from '../support/contracts.js';
import { launchBrowser } from '../support/browser.js';
import { api, approvalLink, startTestStack, waitForEmail } from '../support/stack.js';

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

describe('the web UI in a browser', () => {
  it('lets a signatory agree from the emailed link, then shows the contract moving on', async () => {
    const contract = exampleContract({ id: uniqueId('PC-WEB') });
    expect((await api(stack, 'POST', '/api/v1/contracts', contract)).status).toBe(201);
    const email = await waitForEmail(
      stack,
      (m) => m.subject === `${contract.id}: please agree to revision 1`,
      'agree',
    );
    const page = await browser.newPage();

    await page.goto(`${stack.urls.app}/outbox`);
    await page.getByRole('link', { name: `${contract.id}: please agree to revision 1` }).click();
    await expect.poll(() => page.title()).toContain('please agree to revision 1');

    await page.goto(approvalLink(email));
    await expect.poll(() => page.locator('h1').textContent()).toBe('Please agree to the proposed terms');
    expect(await page.locator('tbody tr').count()).toBe(contract.indicators.length);
    await page.fill('#comment', 'Agreed after the second round');
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Decision recorded');
    expect(await page.locator('main').textContent()).toContain('approve');
    await page.screenshot({ path: `${stack.config.dataDir}/approval-result.png` });

    await waitForStage(stack, contract.id, 'signing');
    await page.goto(`${stack.urls.app}/contracts/${contract.id}`);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('signing');
    expect(text).toContain('Agreed after the second round');
    expect(text).toContain('B. Wanjiru');

    // The same link, opened again, says the decision is taken and offers no buttons.
    await page.goto(approvalLink(email));
    expect(await page.locator('main').textContent()).toContain(
      'This decision was already taken: approve by B. Wanjiru',
    );
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await page.close();
  });
});
