// The pages people use, in a real browser: a signatory approves from the emailed link, and the
// contract list, the contract page and the outbox show what happened.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import type { Stack } from '../../cli/stack.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../cli/temporal-binaries.js';
import {
  backdatedPeriod,
  contractState,
  exampleActuals,
  exampleContract,
  signContract,
  uniqueId,
  waitForStage,
} from '../support/contracts.js';
import { launchBrowser } from '../support/browser.js';
import { api, approvalLink, startTestStack, waitFor, waitForEmail } from '../support/stack.js';
import { OFFICE, sessionFor, signedInContext } from '../support/sessions.js';

/** Screenshots of every page at a desktop's and a phone's width, kept out of git. */
const SHOTS = join(projectRoot, 'test-results', 'screenshots');
const WIDTHS = [1280, 390];

let stack: Stack;
let browser: Browser;
/** The performance office, signed in. */
let office: BrowserContext;

beforeAll(async () => {
  stack = await startTestStack();
  browser = await launchBrowser();
  office = await signedInContext(browser, stack, OFFICE);
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
    const page = await office.newPage();

    await page.goto(`${stack.urls.app}/outbox`);
    await page.getByRole('link', { name: `${contract.id}: please agree to revision 1` }).click();
    await expect.poll(() => page.title()).toContain('please agree to revision 1');

    await page.goto(approvalLink(email));
    await expect.poll(() => page.locator('h1').textContent()).toBe('Please agree to the proposed terms');
    expect(await page.locator('tbody tr').count()).toBe(contract.indicators.length);
    await page.fill('#comment', 'Agreed after the second round');
    await page.getByRole('button', { name: 'Agree' }).click();
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
    expect(await page.getByRole('button', { name: 'Agree' }).count()).toBe(0);
    await page.close();
  });

  it('filters the list by category, grade, lateness and year, marks a wrong filter, and shows each contract in full', async () => {
    const tag = uniqueId('PC-LIST');
    const actuals = exampleActuals();
    const period = backdatedPeriod(4, 30);
    const year = period.start.slice(0, 4);
    const counties = exampleContract({ id: `${tag}-A`, category: 'Counties', period });
    const ministries = exampleContract({ id: `${tag}-B`, category: 'Ministries', period });
    await signContract(stack, counties);
    await signContract(stack, ministries);
    expect(
      (await api(stack, 'POST', `/api/v1/contracts/${counties.id}/reports`, { period: 'Q1', actuals }))
        .status,
    ).toBe(200);
    const reviewed = await waitFor(async () => {
      const s = await contractState(stack, counties.id);
      return s.periods[0]!.review ? s : undefined;
    }, 'the Q1 review');
    const review = reviewed.periods[0]!.review!;
    expect(
      (
        await api(stack, 'POST', `/api/v1/contracts/${counties.id}/moderations`, {
          period: 'Q1',
          reviewVersion: 1,
          by: { name: 'C. Mwangi', email: 'pmo@county.example' },
          values: { immunisation: { actual: 84, reason: 'Late returns from two wards counted' } },
        })
      ).status,
    ).toBe(200);
    const moderated = await waitFor(async () => {
      const s = await contractState(stack, counties.id);
      return s.periods[0]!.review?.version === 2 ? s : undefined;
    }, 'the moderated review');
    const grade = moderated.periods[0]!.review!.grade;

    const page = await office.newPage();
    const rows = async () =>
      (await page.locator('tbody tr td:first-child a').allTextContents()).filter((id) => id.startsWith(tag));
    await page.goto(`${stack.urls.app}/`);
    await page.getByLabel('Category').fill('Counties');
    await page.getByRole('button', { name: 'Filter' }).click();
    expect(await rows()).toEqual([counties.id]);
    await page.getByLabel('Category').fill('');
    await page.getByLabel('Grade').fill(grade);
    await page.getByRole('button', { name: 'Filter' }).click();
    expect(await rows()).toEqual([counties.id]);
    await page.getByLabel('Grade').fill('');
    await page.getByLabel('Late').selectOption('true');
    await page.getByRole('button', { name: 'Filter' }).click();
    expect(await rows()).toEqual([]);
    await page.getByLabel('Late').selectOption('false');
    await page.getByLabel('Year').fill(year);
    await page.getByRole('button', { name: 'Filter' }).click();
    expect(await rows()).toEqual([counties.id, ministries.id]);
    // The due day in the list is the contract page's: the next report's due day.
    const listedDue = await page.locator('tr', { hasText: ministries.id }).locator('td').nth(7).textContent();
    const ministriesState = await contractState(stack, ministries.id);
    expect(listedDue?.trim()).toBe(ministriesState.periods.find((p) => !p.review)!.due);
    // A wrong filter is marked on its field, with the reason, and lists nothing.
    await page.getByLabel('Year').fill('20x7');
    await page.getByRole('button', { name: 'Filter' }).click();
    expect(await page.getByLabel('Year').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#year-error').textContent()).toContain('year');
    expect(await rows()).toEqual([]);

    // The contract page: objectives, category, the scale, escalations, the moderation (who, from,
    // to, why), charts, documents as PDF too, and times people read.
    await page.goto(`${stack.urls.app}/contracts/${counties.id}`);
    const text = (await page.locator('main').textContent()) ?? '';
    for (const expected of [
      counties.objectives![0]!,
      'Counties',
      'Grades best first',
      'Late returns from two wards counted',
      'C. Mwangi',
      ...review.escalations.map((e) => e.message),
    ])
      expect(text).toContain(expected);
    expect(await page.locator('main svg').count()).toBe(2);
    expect(await page.getByRole('link', { name: 'PDF' }).count()).toBeGreaterThan(0);
    expect(text).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    expect(text).not.toMatch(/\d{2}:\d{2}:\d{2}(\.\d+)?Z/);

    // The outbox: dates shown; a link in a message opens its own tab, not a broken frame.
    await page.goto(`${stack.urls.app}/outbox`);
    expect(await page.locator('tbody tr td:first-child').first().textContent()).toMatch(/UTC$/);
    await page.getByRole('link', { name: `${ministries.id}: please agree to revision 1` }).click();
    const frame = page.frameLocator('iframe');
    const [tab] = await Promise.all([
      page.waitForEvent('popup'),
      frame
        .getByRole('link')
        .filter({ hasText: /approve|decide|open/i })
        .first()
        .click(),
    ]);
    await tab.waitForLoadState();
    expect(await tab.locator('h1').textContent()).toBeTruthy();
    expect(tab.url()).toContain('/approvals/');
    await tab.close();

    // Every page, at a desktop's width and a phone's.
    mkdirSync(SHOTS, { recursive: true });
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      for (const [name, path] of [
        ['contracts', '/'],
        ['contract', `/contracts/${counties.id}`],
        ['outbox', '/outbox'],
      ] as const) {
        await page.goto(stack.urls.app + path);
        await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
      }
    }
    await page.close();
  });

  it("shows on approval pages the proposer's note and what changed, the document signed with a Sign button, and who asked to terminate", async () => {
    const contract = exampleContract({ id: uniqueId('PC-APPR') });
    expect((await api(stack, 'POST', '/api/v1/contracts', contract)).status).toBe(201);
    await waitForEmail(stack, (m) => m.subject === `${contract.id}: please agree to revision 1`, 'agree r1');
    const [immunisation, ...others] = contract.indicators;
    const revised = [{ ...immunisation!, target: 88 }, ...others];
    expect(
      (
        await api(stack, 'POST', `/api/v1/contracts/${contract.id}/revisions`, {
          proposedBy: 'unit',
          indicators: revised,
          note: 'We can reach 88% with the outreach teams',
        })
      ).status,
    ).toBe(201);
    const agree = await waitForEmail(
      stack,
      (m) => m.subject === `${contract.id}: please agree to revision 2`,
      'agree r2',
    );
    const page = await office.newPage();
    await page.goto(approvalLink(agree));
    let text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain("The unit's note: “We can reach 88% with the outreach teams”");
    expect(text).toContain('What changed since revision 1');
    expect(text).toContain(`${immunisation!.name}: target 85 → 88`);
    await page.getByRole('button', { name: 'Agree' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Decision recorded');

    // Signing: the document is on the page, and the button says Sign.
    const sign = await waitForEmail(
      stack,
      (m) =>
        m.subject === `${contract.id}: please sign revision 2` &&
        m.to.includes(contract.unit.signatory.email),
      'sign r2',
    );
    mkdirSync(SHOTS, { recursive: true });
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(approvalLink(sign));
      await page.screenshot({ path: join(SHOTS, `approval-sign-${width}.png`), fullPage: true });
    }
    const framed = page.frameLocator('iframe.document');
    expect(await framed.locator('h1').textContent()).toBe(contract.title);
    expect(await framed.locator('body').textContent()).toContain('revision 2');
    expect(await page.getByRole('button', { name: 'Sign', exact: true }).count()).toBe(1);
    // At a phone's width nothing is wider than the screen but tables, which scroll.
    const overflow = await page.evaluate('document.documentElement.scrollWidth');
    expect(overflow).toBeLessThanOrEqual(390);
    await page.getByRole('button', { name: 'Sign', exact: true }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Decision recorded');

    // A termination request: the principal's page says who asked, when and why.
    await waitFor(async () => {
      const s = await api<{ stage: string; pendingApprovals: unknown[] }>(
        stack,
        'GET',
        `/api/v1/contracts/${contract.id}`,
      );
      return s.body.pendingApprovals.length === 1 ? true : undefined;
    }, 'one signature left');
    const terminate = await api(stack, 'POST', `/api/v1/contracts/${contract.id}/terminate`, {
      reason: 'The department is merged into the Health Authority',
    });
    expect(terminate.status).toBe(202);
    const confirm = await waitForEmail(
      stack,
      (m) => m.subject.startsWith(`${contract.id}: please confirm the termination`),
      'terminate',
    );
    await page.goto(approvalLink(confirm));
    text = (await page.locator('main').textContent()) ?? '';
    expect(text).toMatch(
      /Asked for by .+ on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC: “The department is merged into the Health Authority”/,
    );
    expect(await page.getByRole('button', { name: 'Confirm the termination' }).count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'approval-terminate-390.png'), fullPage: true });
    await page.close();
  });

  it('shows who signed in on this machine too, and narrows the list to what they may see', async () => {
    const session = (email: string, role: 'admin' | 'unit', unit?: string) =>
      sessionFor(stack, { email, role, ...(unit ? { unit } : {}) });
    const admin = await session('local.admin@pmo.example', 'admin');
    const page = await (
      await fetch(`${stack.urls.app}/`, { headers: { cookie: `covenant_session=${admin}` } })
    ).text();
    expect(page).toContain('Person local.admin@pmo.example · admin');
    expect(page).toContain('href="/people"');
    // A unit of another department, signed in: none of the health contracts.
    const roads = await session('roads@county.example', 'unit', 'Department of Roads');
    const list = await (
      await fetch(`${stack.urls.app}/`, { headers: { cookie: `covenant_session=${roads}` } })
    ).text();
    expect(list).toContain('Person roads@county.example · unit');
    expect(list).not.toContain('href="/contracts/');
    // Without a session a browser on this machine is sent to sign in too, and the API asks for a token.
    const stranger = await fetch(`${stack.urls.app}/`, {
      headers: { accept: 'text/html' },
      redirect: 'manual',
    });
    expect([stranger.status, stranger.headers.get('location')]).toEqual([303, '/sign-in?next=%2F']);
    expect(
      (await fetch(`${stack.urls.app}/outbox`, { headers: { accept: 'application/json' } })).status,
    ).toBe(401);
  });
});
