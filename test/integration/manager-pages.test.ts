// The principal's side in a real browser, signed in as a manager of the contract: moderating a
// review (a wrong field marked, a stale version refused), asking to suspend, sending a fresh link
// and handing the decision over, proposing a mid-year revision with its diff shown first, and the
// contract's record. A unit may not open these forms.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import { projectRoot } from '../../cli/temporal-binaries.js';
import { launchBrowser } from '../support/browser.js';
import {
  backdatedPeriod,
  contractState,
  exampleContract,
  signedWithQ1Review,
  uniqueId,
} from '../support/contracts.js';
import { signedInContext } from '../support/sessions.js';
import { api, startTestStack, waitFor, waitForEmail } from '../support/stack.js';

const SHOTS = join(projectRoot, 'test-results', 'screenshots');

let stack: Stack;
let browser: Browser;
let manager: BrowserContext;

beforeAll(async () => {
  stack = await startTestStack();
  browser = await launchBrowser();
  manager = await signedInContext(browser, stack, {
    email: 'pmo@county.example',
    name: 'C. Mwangi',
    role: 'manager',
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Both widths of the page as it is now, for people to look at (git-ignored). */
async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe("the principal's side in the browser", () => {
  it('moderates a review, asks to suspend, resends and hands over the link, proposes a revision, and shows the record', async () => {
    // Seven months into its year: Q1 and Q2 are over, so a mid-year revision may be proposed.
    const contract = exampleContract({ id: uniqueId('PC-MGR'), period: backdatedPeriod(7, 30) });
    await signedWithQ1Review(stack, contract);
    const page = await manager.newPage();

    // Moderation: from the contract page's link; nothing given, then a word, then no reason.
    await page.goto(`${stack.urls.app}/contracts/${contract.id}`);
    await page.locator('tr', { hasText: 'Q1' }).getByRole('link', { name: 'moderate' }).click();
    expect(await page.locator('h1').textContent()).toBe(`Moderate the Q1 review · ${contract.title}`);
    await shoot(page, 'moderate');
    await page.getByRole('button', { name: 'Moderate' }).click();
    expect(await page.locator('.notice.bad').textContent()).toContain('Give a new value');
    const immunisation = page.locator('fieldset', { hasText: 'Fully immunised children under 1' });
    await immunisation.getByLabel('New value').fill('eighty');
    await page.getByRole('button', { name: 'Moderate' }).click();
    expect(await immunisation.getByLabel('New value').getAttribute('aria-invalid')).toBe('true');
    await immunisation.getByLabel('New value').fill('84');
    await page.getByRole('button', { name: 'Moderate' }).click();
    expect(await immunisation.getByLabel('Reason').getAttribute('aria-invalid')).toBe('true');
    expect(await immunisation.locator('.field-error').textContent()).toContain('needs a reason');
    expect((await contractState(stack, contract.id)).periods[0]!.moderations).toEqual([]);
    await immunisation.getByLabel('Reason').fill('Late returns from two wards');
    await page.getByRole('button', { name: 'Moderate' }).click();
    await page.waitForURL(`**/contracts/${contract.id}?done=moderated`);
    expect(await page.locator('.notice').first().textContent()).toContain('The review is moderated');
    const moderated = await waitFor(async () => {
      const s = await contractState(stack, contract.id);
      return s.periods[0]!.review?.version === 2 ? s : undefined;
    }, 'the moderated review');
    expect(moderated.periods[0]!.moderations).toMatchObject([
      {
        indicator: 'immunisation',
        to: 84,
        reason: 'Late returns from two wards',
        by: { email: 'pmo@county.example' },
      },
    ]);

    // A page opened before another moderation is refused, and says which version is current.
    await page.goto(`${stack.urls.app}/contracts/${contract.id}/moderate/Q1`);
    expect(
      (
        await api(stack, 'POST', `/api/v1/contracts/${contract.id}/moderations`, {
          period: 'Q1',
          reviewVersion: 2,
          by: { name: 'D. Kiptoo', email: 'planning@county.example' },
          values: { immunisation: { actual: 85, reason: 'Recount' } },
        })
      ).status,
    ).toBe(200);
    await page
      .locator('fieldset', { hasText: 'Fully immunised children under 1' })
      .getByLabel('New value')
      .fill('86');
    await page
      .locator('fieldset', { hasText: 'Fully immunised children under 1' })
      .getByLabel('Reason')
      .fill('Another recount');
    await page.getByRole('button', { name: 'Moderate' }).click();
    expect(await page.locator('.notice.bad').textContent()).toMatch(/version 2 .*current version is 3/);

    // Asking to suspend: a reason is required, then the principal is asked to confirm.
    await page.goto(`${stack.urls.app}/contracts/${contract.id}`);
    await page.getByRole('link', { name: 'Ask to suspend' }).click();
    await shoot(page, 'request-suspend');
    await page.evaluate("document.getElementById('reason').removeAttribute('required')");
    await page.getByRole('button', { name: 'Ask to suspend' }).click();
    expect(await page.getByLabel('Why').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Why').fill('Audit of the drug accounts');
    await page.getByRole('button', { name: 'Ask to suspend' }).click();
    await page.waitForURL(`**/contracts/${contract.id}?done=asked-suspend`);
    const suspension = (await contractState(stack, contract.id)).pendingApprovals.find(
      (a) => a.kind === 'suspend',
    )!;
    expect(suspension.approver.email).toBe(contract.principal.signatory.email);
    await waitForEmail(
      stack,
      (m) => m.subject.includes(contract.id) && m.subject.includes('suspen'),
      'suspension request',
    );

    // A fresh link once; a second at once is refused (one every ten minutes).
    const item = page.locator('li', { hasText: 'suspend revision' });
    await item.getByRole('button', { name: 'Send a fresh link' }).click();
    await page.waitForURL(`**/contracts/${contract.id}?done=resent`);
    await page
      .locator('li', { hasText: 'suspend revision' })
      .getByRole('button', { name: 'Send a fresh link' })
      .click();
    expect(await page.locator('h1').textContent()).toBe('No new link sent');
    expect(await page.locator('main').textContent()).toContain('at most one every 10 minutes');

    // Handing the decision over: a wrong address marked, then the new approver.
    await page.goto(`${stack.urls.app}/contracts/${contract.id}`);
    await page
      .locator('li', { hasText: 'suspend revision' })
      .getByRole('link', { name: 'hand over' })
      .click();
    await shoot(page, 'hand-over');
    await page.getByLabel('Name').fill('E. Deputy');
    await page.evaluate("document.getElementById('email').setAttribute('type', 'text')");
    await page.getByLabel('Email address').fill('not an address');
    await page.getByRole('button', { name: 'Hand over' }).click();
    expect(await page.getByLabel('Email address').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Email address').fill('deputy@county.example');
    await page.getByRole('button', { name: 'Hand over' }).click();
    await page.waitForURL(`**/contracts/${contract.id}?done=handed-over`);
    const handed = (await contractState(stack, contract.id)).pendingApprovals.find(
      (a) => a.kind === 'suspend',
    )!;
    expect(handed.approver).toEqual({ name: 'E. Deputy', email: 'deputy@county.example' });

    // A mid-year revision: the diff first, then the proposal.
    await page.getByRole('link', { name: 'Propose a mid-year revision' }).click();
    await page.getByLabel('New target for Fully immunised children under 1').fill('88');
    await page.getByLabel('Why the targets change').fill('The new cold chain came early');
    await page.getByRole('button', { name: 'Show what changes' }).click();
    expect(await page.locator('ul.changes').textContent()).toContain('target 85 → 88');
    await shoot(page, 'revise');
    expect((await contractState(stack, contract.id)).pendingApprovals.some((a) => a.kind === 'revise')).toBe(
      false,
    );
    await page.getByRole('button', { name: 'Propose this revision' }).click();
    await page.waitForURL(`**/contracts/${contract.id}?done=proposed`);
    expect((await contractState(stack, contract.id)).pendingApprovals.some((a) => a.kind === 'revise')).toBe(
      true,
    );

    // The record names who did each of these.
    await page.getByRole('link', { name: 'Record' }).click();
    const record = (await page.locator('main').textContent()) ?? '';
    expect(record).toContain('delegated');
    expect(record).toContain('C. Mwangi (manager, pmo@county.example)');
    expect(record).toContain('signed');
    await shoot(page, 'record');
    await page.close();

    // A unit may not open the principal's forms.
    const unit = await signedInContext(browser, stack, {
      email: contract.unit.signatory.email,
      role: 'unit',
      unit: contract.unit.name,
    });
    const unitPage = await unit.newPage();
    const refused = await unitPage.goto(`${stack.urls.app}/contracts/${contract.id}/moderate/Q1`);
    expect(refused!.status()).toBe(403);
    await unit.close();
  });

  it('proposes a counter-revision in negotiation, targets and weights, with the diff shown before it is sent', async () => {
    const contract = exampleContract({ id: uniqueId('PC-MGR-NEG') });
    expect((await api(stack, 'POST', '/api/v1/contracts', contract)).status).toBe(201);
    await waitForEmail(stack, (m) => m.subject === `${contract.id}: please agree to revision 1`, 'agree r1');
    const [first, second] = contract.indicators;
    const page = await manager.newPage();
    await page.goto(`${stack.urls.app}/contracts/${contract.id}`);
    await page.getByRole('link', { name: 'Propose a revision' }).click();
    await page.getByLabel(`New target for ${first!.name}`).fill('88');
    await page.getByLabel(`New weight for ${first!.name}`).fill(String(first!.weight + 5));
    await page.getByLabel(`New weight for ${second!.name}`).fill(String(second!.weight - 5));
    await page.getByLabel('Note to the unit').fill('Higher coverage, with more weight on it');
    await page.getByRole('button', { name: 'Show what changes' }).click();
    const changes = await page.locator('ul.changes li').allTextContents();
    expect(changes).toEqual([
      `${first!.name}: target ${first!.target} → 88`,
      `${first!.name}: weight ${first!.weight} → ${first!.weight + 5}`,
      `${second!.name}: weight ${second!.weight} → ${second!.weight - 5}`,
    ]);
    expect((await contractState(stack, contract.id)).revision).toBe(1);
    await page.getByRole('button', { name: 'Propose this revision' }).click();
    await page.waitForURL(`**/contracts/${contract.id}?done=proposed`);
    const state = await contractState(stack, contract.id);
    expect([state.revision, state.revisions[1]!.proposedBy, state.revisions[1]!.note]).toEqual([
      2,
      'principal',
      'Higher coverage, with more weight on it',
    ]);
    const agree = await waitForEmail(
      stack,
      (m) => m.subject === `${contract.id}: please agree to revision 2`,
      'agree r2',
    );
    expect(agree.to).toEqual([contract.unit.signatory.email]);
    await page.close();
  });
});
