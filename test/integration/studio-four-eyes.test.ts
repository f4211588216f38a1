// Four eyes on rule sets (COVENANT_RULESET_FOUR_EYES=on): one admin asks for a draft's publication,
// the others are emailed a link, the one who asked cannot approve it, a second admin does, and the
// version records both. Through the API, the first publish is the request (202).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import { launchBrowser } from '../support/browser.js';
import { uniqueId } from '../support/contracts.js';
import { OFFICE, signedInContext } from '../support/sessions.js';
import { api, startTestStack, waitForEmail } from '../support/stack.js';
import { ruleSetWorkflowId, type PublishedVersion } from '../../workflows/messages.js';
import { recordHistory } from '../support/histories.js';

const DEPUTY = { email: 'deputy@pmo.example', name: 'D. Deputy', role: 'admin' as const };

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startTestStack({ env: { COVENANT_RULESET_FOUR_EYES: 'on' } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('four eyes on rule sets', () => {
  it('publishes only once a second admin approves what another asked for', async () => {
    const id = uniqueId('four-eyes').toLowerCase();
    const office = await signedInContext(browser, stack, OFFICE);
    const deputy = await signedInContext(browser, stack, DEPUTY);
    const page = await office.newPage();
    await page.goto(`${stack.urls.app}/rulesets/default`);
    await page.getByLabel('Id (e.g. county-2028)').fill(id);
    await page.getByLabel('Name', { exact: true }).fill('Four-eyed bands');
    await page.getByRole('button', { name: 'Start the new rule set' }).click();
    await page.waitForURL(`**/rulesets/${id}?draft=1`);
    await page.getByLabel('Note for this version (optional)').fill('First county bands');
    await page.getByRole('button', { name: 'Ask a second admin to publish' }).click();
    await page.waitForURL(`**/rulesets/${id}?draft=1&done=requested`);
    expect(await page.locator('main').textContent()).toContain(
      `Publication asked for by ${OFFICE.name} <${OFFICE.email}>`,
    );
    const mail = await waitForEmail(
      stack,
      (m) => m.to.includes(DEPUTY.email) && m.subject === 'Four-eyed bands: please approve its publication',
      'the approval request',
    );
    const link = /http\S+\/rulesets\/\S+\?draft=1/.exec(mail.text)![0];
    // The one who asked cannot approve it.
    await page.getByRole('button', { name: 'Approve and publish' }).click();
    expect(await page.locator('h1').textContent()).toBe('Not published');
    expect(await page.locator('main').textContent()).toContain('a second person approves it');
    expect(
      (await api<{ versions: unknown[] }>(stack, 'GET', `/api/v1/rulesets/${id}`)).body.versions,
    ).toEqual([]);

    // The deputy follows the emailed link and approves.
    const second = await deputy.newPage();
    await second.goto(link);
    await second.getByRole('button', { name: 'Approve and publish' }).click();
    await second.waitForURL(`**/rulesets/${id}?version=1&done=published`);
    const version = (await api<PublishedVersion>(stack, 'GET', `/api/v1/rulesets/${id}/versions/1`)).body;
    expect([version.publishedBy, version.approvedBy, version.note]).toEqual([
      `${OFFICE.name} <${OFFICE.email}>`,
      `${DEPUTY.name} <${DEPUTY.email}>`,
      'First county bands',
    ]);

    // Through the API the first publish asks (202); nothing is published until someone else approves.
    const draft = (
      await api<{ draft: { ruleSet: Record<string, unknown> } }>(stack, 'GET', `/api/v1/rulesets/${id}`)
    ).body.draft.ruleSet;
    expect(
      (await api(stack, 'POST', '/api/v1/rulesets', { ...draft, name: 'Four-eyed bands, v2' })).status,
    ).toBe(201);
    const asked = await api(stack, 'POST', `/api/v1/rulesets/${id}/publish`);
    expect(asked).toMatchObject({ status: 202, body: { requested: true } });
    expect((await api(stack, 'POST', `/api/v1/rulesets/${id}/publish`)).status).toBe(409);
    await recordHistory(stack.client, 'ruleset-four-eyes', ruleSetWorkflowId(id));
    await office.close();
    await deputy.close();
  });
});
