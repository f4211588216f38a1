// The strict Content-Security-Policy in a real browser: every page still shows its own styles,
// the outbox still shows an email's HTML in its sandboxed frame, and nothing is reported blocked.
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import { PgBlobStore } from '../../store/blobs.js';
import { signDocumentUrl } from '../../model/document-token.js';
import { launchBrowser } from '../support/browser.js';
import { exampleContract, uniqueId } from '../support/contracts.js';
import { api, approvalLink, startTestStack, waitForEmail } from '../support/stack.js';
import { OFFICE, signedInContext } from '../support/sessions.js';

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

describe('pages under the Content-Security-Policy', () => {
  it('keep their styles and report no violation, the email frame and review documents included', async () => {
    const contract = exampleContract({ id: uniqueId('PC-CSP') });
    await api(stack, 'POST', '/api/v1/contracts', contract);
    const email = await waitForEmail(
      stack,
      (m) => m.subject === `${contract.id}: please agree to revision 1`,
      'agree',
    );
    const documentPath = `/documents/${contract.id}/y1-Q1-review.html`;
    await new PgBlobStore(stack.database).put(
      documentPath.slice('/documents/'.length),
      '<!doctype html><style>h1{color:rgb(200, 30, 30)}</style><h1>Review</h1>',
      'text/html; charset=utf-8',
    );

    const page = await (await signedInContext(browser, stack, OFFICE)).newPage();
    const violations = watchViolations(page);
    const brand = 'rgb(11, 83, 148)';
    for (const path of ['/', `/contracts/${contract.id}`, '/outbox', new URL(approvalLink(email)).pathname]) {
      await page.goto(stack.urls.app + path);
      expect([path, await css(page.locator('header'), 'background-color')]).toEqual([path, brand]);
    }
    await page.goto(`${stack.urls.app}/outbox/${email.id}`);
    const button = page.frameLocator('iframe').getByRole('link', { name: 'Review and decide' });
    expect(await css(button, 'background-color')).toBe(brand);

    await page.goto(
      stack.urls.app + signDocumentUrl(documentPath, stack.linkSecret, Date.now() + 60_000),
    );
    expect(await css(page.locator('h1'), 'color')).toBe('rgb(200, 30, 30)');
    expect(violations).toEqual([]);
    await page.close();
  });
});

/** CSP violations the browser reports on the console, for any page or frame. */
function watchViolations(page: Page): string[] {
  const found: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) found.push(message.text());
  });
  return found;
}

/** A computed style in the browser (the tests compile without the DOM's types, hence the cast). */
async function css(locator: Locator, property: string): Promise<string> {
  return locator.evaluate((element, name) => {
    const view = globalThis as unknown as {
      getComputedStyle(e: unknown): { getPropertyValue(p: string): string };
    };
    return view.getComputedStyle(element).getPropertyValue(name);
  }, property);
}
