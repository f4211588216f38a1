// Single sign-on by OpenID Connect against a real provider running locally (oidc-provider): the
// sign-in page offers it, the provider proves who someone is, and Covenant opens a session only for
// a person it knows and has not disabled, with the role its People page gave them. A forged,
// replayed or unverified answer signs nobody in.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import { launchBrowser } from '../support/browser.js';
import { exampleContract, uniqueId } from '../support/contracts.js';
import { testOidcProvider, type TestProvider } from '../support/oidc-provider.js';
import { api, startTestStack } from '../support/stack.js';

let stack: Stack;
let provider: TestProvider;
let browser: Browser;

beforeAll(async () => {
  provider = await testOidcProvider();
  stack = await startTestStack({
    env: {
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
      OIDC_NAME: 'County SSO',
    },
  });
  await provider.start(`${stack.urls.app}/sign-in/oidc/callback`);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await provider?.stop();
});

/** From Covenant's sign-in page through the provider's login and consent pages, as `login`. */
async function signOn(page: Page, login: string): Promise<void> {
  await page.getByRole('link', { name: 'Sign in with County SSO' }).click();
  await page.waitForURL(`${provider.issuer}/**`);
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${stack.urls.app}/**`);
}

async function sessionCookies(context: BrowserContext): Promise<string[]> {
  return (await context.cookies(stack.urls.app))
    .filter((c) => c.name === 'covenant_session')
    .map((c) => c.value);
}

describe('single sign-on by OpenID Connect', () => {
  it('signs in a known person from the provider, with the role Covenant gave them, and back to the page asked for', async () => {
    const contract = exampleContract({ id: uniqueId('PC-SSO') });
    expect((await api(stack, 'POST', '/api/v1/contracts', contract)).status).toBe(201);
    await stack.users.put({ email: 'pmo@county.example', name: 'C. Mwangi', role: 'manager' });
    const context = await browser.newContext();
    const page = await context.newPage();

    await page.goto(`${stack.urls.app}/contracts/${contract.id}`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await signOn(page, 'PMO@county.example');
    expect(new URL(page.url()).pathname).toBe(`/contracts/${contract.id}`);
    expect(await page.locator('h1').textContent()).toBe(contract.title);
    // Covenant's name and role for them, not the provider's.
    expect(await page.locator('header').textContent()).toContain('C. Mwangi · manager');
    const [cookie] = (await context.cookies(stack.urls.app)).filter((c) => c.name === 'covenant_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    // The sealed state of the sign-in is gone once used.
    expect((await context.cookies(stack.urls.app)).map((c) => c.name)).not.toContain('covenant_oidc');

    // Signing in again (the provider remembers them) rotates the session.
    await page.goto(`${stack.urls.app}/sign-in`);
    await page.getByRole('link', { name: 'Sign in with County SSO' }).click();
    await page.waitForURL(`${stack.urls.app}/**`);
    const [rotated] = await sessionCookies(context);
    expect(rotated).toBeDefined();
    expect(rotated).not.toBe(cookie!.value);
    expect(await page.locator('header').textContent()).toContain('C. Mwangi · manager');
    await context.close();
  });

  it('refuses a person Covenant does not know, a disabled one, an unverified email, and a replayed or forged answer', async () => {
    await stack.users.put({ email: 'gone@county.example', name: 'Gone', role: 'viewer' });
    await stack.users.disable('gone@county.example');
    await stack.users.put({ email: 'unit@county.example', name: 'Unit', role: 'viewer' });

    for (const [login, says] of [
      ['stranger@elsewhere.example', 'stranger@elsewhere.example may not sign in to Covenant'],
      ['gone@county.example', 'gone@county.example may not sign in to Covenant'],
      ['unverified.unit@county.example', 'did not give a verified email address'],
    ] as const) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${stack.urls.app}/sign-in`);
      const callback = page.waitForResponse((r) => r.url().includes('/sign-in/oidc/callback'));
      await signOn(page, login);
      expect([login, (await callback).status()]).toEqual([login, 403]);
      expect(await page.locator('main').textContent()).toContain(says);
      expect(await sessionCookies(context)).toEqual([]);

      // The same answer from the provider, replayed, signs nobody in either.
      const replayed = await page.goto((await callback).url());
      expect(replayed!.status()).toBe(403);
      expect(await page.locator('main').textContent()).toContain('Start again');
      await context.close();
    }

    // A callback nobody started, with a made-up code and state.
    const forged = await fetch(`${stack.urls.app}/sign-in/oidc/callback?code=forged&state=forged`);
    expect(forged.status).toBe(403);
    expect(forged.headers.get('set-cookie') ?? '').not.toContain('covenant_session=');
  });
});
