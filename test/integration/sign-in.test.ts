// Signing in by a one-time emailed link, in a real browser reaching Covenant by a name other than
// localhost (so the one-machine exception does not apply): a page sends the stranger to sign in
// and back; the link works once, from its page's button; the session cookie is HttpOnly and
// SameSite; a session reads but does not change through the API; sign-out ends one session or all;
// a disabled person is signed out.
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../cli/temporal-binaries.js';
import { launchBrowser } from '../support/browser.js';
import type { Stack } from '../../cli/stack.js';
import {
  backdatedPeriod,
  contractState,
  exampleActuals,
  exampleContract,
  signContract,
  uniqueId,
} from '../support/contracts.js';
import { raw } from '../support/http.js';
import { api, messages, startTestStack, waitFor, waitForEmail } from '../support/stack.js';

const SHOTS = join(projectRoot, 'test-results', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

let stack: Stack;
let browser: Browser;
let base: string;

beforeAll(async () => {
  stack = await startTestStack();
  // The browser reaches this machine as covenant.test: a person elsewhere, for Covenant.
  browser = await launchBrowser(['--host-resolver-rules=MAP covenant.test 127.0.0.1']);
  base = stack.urls.app.replace('localhost', 'covenant.test');
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** The sign-in link emailed to `email` after `since` messages, on the browser's host name. */
async function linkFor(email: string, since: number): Promise<string> {
  const mail = await waitForEmail(
    stack,
    (m) => m.to.includes(email) && m.subject === 'Your Covenant sign-in link' && Number(m.id) > since,
    `sign-in link for ${email}`,
  );
  return /https?:\/\/\S+\/sign-in\/[A-Za-z0-9_-]{43}\S*/
    .exec(mail.text)![0]
    .replace('localhost', 'covenant.test');
}

async function lastMessageId(): Promise<number> {
  return Math.max(0, ...(await messages(stack)).map((m) => Number(m.id)));
}

async function signIn(context: BrowserContext, email: string, path = '/'): Promise<void> {
  const page = await context.newPage();
  await page.goto(base + path);
  const since = await lastMessageId();
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send me a sign-in link' }).click();
  await page.goto(await linkFor(email, since));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(base + path);
  await page.close();
}

describe('signing in', () => {
  it('sends a stranger to sign in by an emailed link, once, and back to the page they asked for', async () => {
    const contract = exampleContract({ id: uniqueId('PC-SIGN') });
    expect((await api(stack, 'POST', '/api/v1/contracts', contract)).status).toBe(201);
    await stack.users.put({ email: 'office@pmo.example', name: 'P. Office', role: 'admin' });
    const context = await browser.newContext();
    const page = await context.newPage();

    // A page asked for without a session: the sign-in page, which knows where to come back to.
    await page.goto(`${base}/contracts/${contract.id}`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(new URL(page.url()).searchParams.get('next')).toBe(`/contracts/${contract.id}`);
    // An address that may not sign in gets the same answer, and no email.
    const before = await lastMessageId();
    await page.getByLabel('Email address').fill('stranger@elsewhere.example');
    await page.getByRole('button', { name: 'Send me a sign-in link' }).click();
    expect(await page.locator('main').textContent()).toContain('If stranger@elsewhere.example may sign in');
    // A malformed address is marked on its field.
    await page.goto(`${base}/sign-in?next=/contracts/${contract.id}`);
    await page.evaluate("document.getElementById('email').removeAttribute('type')");
    await page.getByLabel('Email address').fill('not an address');
    await page.getByRole('button', { name: 'Send me a sign-in link' }).click();
    expect(await page.getByLabel('Email address').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Email address').fill('Office@PMO.example');
    await page.getByRole('button', { name: 'Send me a sign-in link' }).click();
    const link = await linkFor('office@pmo.example', before);
    expect((await messages(stack)).filter((m) => m.to.includes('stranger@elsewhere.example'))).toEqual([]);

    // Opening the link changes nothing; its button signs in and goes back to the contract.
    await page.goto(link);
    expect(await page.locator('h1').textContent()).toBe('Sign in as P. Office');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/contracts/${contract.id}`);
    expect(await page.locator('h1').textContent()).toBe(contract.title);
    expect(await page.locator('header').textContent()).toContain('P. Office · admin');
    const [cookie] = (await context.cookies()).filter((c) => c.name === 'covenant_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });

    // The link works once.
    await page.goto(link);
    expect(await page.locator('h1').textContent()).toBe('This sign-in link does not work');

    // The session reads through the API too, but changes nothing there: that takes a token.
    const headers = { host: 'covenant.test', cookie: `covenant_session=${cookie!.value}` };
    expect(
      (await raw(stack, { method: 'GET', path: `/api/v1/contracts/${contract.id}`, headers })).status,
    ).toBe(200);
    const change = await raw(stack, {
      method: 'POST',
      path: `/api/v1/contracts/${contract.id}/terminate`,
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'from a session' }),
    });
    expect(change.status).toBe(401);
    expect((await api<{ stage: string }>(stack, 'GET', `/api/v1/contracts/${contract.id}`)).body.stage).toBe(
      'negotiation',
    );
    // Without the cookie, the API answers 401 as before: no redirect for machines.
    expect(
      (await raw(stack, { method: 'GET', path: '/api/v1/contracts', headers: { host: 'covenant.test' } }))
        .status,
    ).toBe(401);

    // Signed out: the next page asks to sign in again.
    await page.goto(`${base}/`);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    expect(await page.locator('h1').textContent()).toBe('Signed out');
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await context.close();
  });

  it("signs out everywhere, ends a disabled person's sessions, never sends anyone off-site, and scopes a unit", async () => {
    await stack.users.put({
      email: 'head@roads.example',
      name: 'R. Head',
      role: 'unit',
      unit: 'Department of Roads',
    });
    const laptop = await browser.newContext();
    const phone = await browser.newContext();
    await signIn(laptop, 'head@roads.example');
    await signIn(phone, 'head@roads.example');
    const onPhone = await phone.newPage();
    await onPhone.goto(`${base}/`);
    expect(new URL(onPhone.url()).pathname).toBe('/');
    // A unit sees its own contracts only: the health department's are not listed.
    expect(await onPhone.locator('tbody tr').count()).toBe(0);

    const onLaptop = await laptop.newPage();
    await onLaptop.goto(`${base}/`);
    await onLaptop.getByRole('button', { name: 'Sign out everywhere' }).click();
    await onPhone.goto(`${base}/`);
    expect(new URL(onPhone.url()).pathname).toBe('/sign-in');

    // Disabled: the session in use ends at once.
    await signIn(phone, 'head@roads.example');
    await stack.users.disable('head@roads.example');
    await onPhone.goto(`${base}/`);
    expect(new URL(onPhone.url()).pathname).toBe('/sign-in');

    // `next` names a page of this site only.
    await stack.users.put({ email: 'viewer@pmo.example', name: 'V. Viewer', role: 'viewer' });
    const page = await laptop.newPage();
    await page.goto(`${base}/sign-in?next=//evil.example/steal`);
    const since = await lastMessageId();
    await page.getByLabel('Email address').fill('viewer@pmo.example');
    await page.getByRole('button', { name: 'Send me a sign-in link' }).click();
    await page.goto(await linkFor('viewer@pmo.example', since));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/`);
    await laptop.close();
    await phone.close();
  });

  it('lets an admin add, change and disable people from the People page, with forms only its own pages can post', async () => {
    await stack.users.put({ email: 'chief@pmo.example', name: 'C. Chief', role: 'admin' });
    const context = await browser.newContext();
    await signIn(context, 'chief@pmo.example', '/people');
    const page = await context.newPage();
    await page.goto(`${base}/people`);
    // A wrong field is marked, and nothing is saved.
    await page.getByLabel('Email').fill('new.manager@county');
    await page.getByLabel('Name').fill('N. Manager');
    await page.getByLabel('Role').selectOption('manager');
    await page.evaluate("document.querySelector('input[name=email]').removeAttribute('type')");
    await page.getByRole('button', { name: 'Save' }).click();
    expect(await page.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
    expect(await stack.users.get('new.manager@county')).toBeUndefined();
    // A unit needs its unit's name.
    await page.getByLabel('Email').fill('head@water.example');
    await page.getByLabel('Role').selectOption('unit');
    await page.getByRole('button', { name: 'Save' }).click();
    expect(await page.getByLabel('Unit (for a unit)').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Unit (for a unit)').fill('Water Board');
    await page.getByRole('button', { name: 'Save' }).click();
    expect(await page.locator('main .notice').textContent()).toBe('Saved head@water.example.');
    expect(await stack.users.get('head@water.example')).toMatchObject({
      role: 'unit',
      unit: 'Water Board',
      name: 'N. Manager',
      createdBy: 'chief@pmo.example',
    });
    await page
      .locator('tr', { hasText: 'head@water.example' })
      .getByRole('button', { name: 'Disable' })
      .click();
    expect(await page.locator('main .notice').textContent()).toContain('Disabled head@water.example');
    expect((await stack.users.get('head@water.example'))!.disabledAt).toBeDefined();

    // Without the page's CSRF field, or from elsewhere (no session cookie), nothing changes.
    const [cookie] = (await context.cookies()).filter((c) => c.name === 'covenant_session');
    const post = (headers: Record<string, string>, body: string) =>
      raw(stack, {
        method: 'POST',
        path: '/people',
        headers: { host: 'covenant.test', 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body,
      });
    const form = 'email=mallory%40evil.example&name=Mallory&role=admin';
    expect((await post({ cookie: `covenant_session=${cookie!.value}` }, form)).status).toBe(403);
    expect(
      (await post({ cookie: `covenant_session=${cookie!.value}` }, `${form}&csrf=1.${'A'.repeat(43)}`))
        .status,
    ).toBe(403);
    expect((await post({}, form)).status).toBe(401);
    expect(await stack.users.get('mallory@evil.example')).toBeUndefined();
    // Not an admin: no People page.
    await stack.users.put({ email: 'reader@pmo.example', name: 'R. Reader', role: 'viewer' });
    const reader = await browser.newContext();
    await signIn(reader, 'reader@pmo.example');
    const readerPage = await reader.newPage();
    const refused = await readerPage.goto(`${base}/people`);
    expect(refused!.status()).toBe(403);
    await reader.close();
    await context.close();
  });

  it("lets a unit report in the browser: a draft kept with its evidence, a refused file and a missing figure's reason marked beside them, the action plan's progress, then the submission reviewed", async () => {
    const actuals = exampleActuals();
    const period = backdatedPeriod(4, 30);
    const contract = exampleContract({
      id: uniqueId('PC-FORM'),
      period,
      actionPlan: [
        {
          id: 'outreach',
          title: 'Mobile immunisation outreach in the five remotest wards',
          indicators: ['immunisation'],
          owner: { name: 'Dr. A. Wanjiru', email: 'a.wanjiru@health.county.example' },
          milestones: [{ id: 'teams', title: 'Two outreach teams hired', due: period.start }],
        },
      ],
    });
    await signContract(stack, contract);
    await stack.users.put({
      email: 'health@county.example',
      name: 'B. Wanjiru',
      role: 'unit',
      unit: contract.unit.name,
    });
    await stack.users.put({
      email: 'other@roads.example',
      name: 'O. Roads',
      role: 'unit',
      unit: 'Department of Roads',
    });
    const context = await browser.newContext();
    await signIn(context, 'health@county.example', `/contracts/${contract.id}`);
    const page = await context.newPage();
    await page.goto(`${base}/contracts/${contract.id}`);
    await page.getByRole('link', { name: 'report form' }).first().click();
    expect(await page.locator('h1').textContent()).toBe(`Q1 report · ${contract.title}`);
    const [first, second] = contract.indicators;
    await page.getByLabel('Actual').first().fill(String(actuals[first!.id]));
    await page.getByLabel('Data quality').first().selectOption('verified');
    await page.getByLabel('Comment').first().fill('From the district health information system');
    // Evidence with the draft: a real PDF for the first figure, a "PDF" that is a PNG for the second.
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    await page
      .locator(`input[name="evidence.${first!.id}"]`)
      .setInputFiles({ name: 'clinic-returns.pdf', mimeType: 'application/pdf', buffer: pdf });
    await page
      .locator(`input[name="evidence.${second!.id}"]`)
      .setInputFiles({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: png });
    await page.getByRole('button', { name: 'Save draft' }).click();
    expect(await page.locator(`input[name="evidence.${second!.id}"]`).getAttribute('aria-invalid')).toBe(
      'true',
    );
    expect(await page.locator(`#evidence-${second!.id}-error`).textContent()).toContain('scan.pdf');
    expect((await contractState(stack, contract.id)).periods[0]!.draft).toBeUndefined();
    // The good file was kept: it is ticked on the page, and goes with the next save.
    expect(await page.getByLabel('clinic-returns.pdf').isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Save draft' }).click();
    expect(await page.locator('main .notice').first().textContent()).toContain('Draft saved');
    expect(await page.getByLabel('clinic-returns.pdf').isChecked()).toBe(true);
    const drafted = (await contractState(stack, contract.id)).periods[0]!.draft!.figures[first!.id]!;
    expect(drafted.evidence).toMatchObject([
      { name: 'clinic-returns.pdf', type: 'application/pdf', size: pdf.length },
    ]);
    // The draft is kept: the page after saving shows it, and its forms post from there.
    expect(await page.getByLabel('Actual').first().inputValue()).toBe(String(actuals[first!.id]));
    expect(await page.getByLabel('Data quality').first().inputValue()).toBe('verified');
    // Submitting with figures left out and unexplained: each is marked, nothing is submitted.
    await page.getByRole('button', { name: 'Submit the report' }).click();
    const reason = page.locator(`input[name="explanation.${second!.id}"]`);
    expect(await reason.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator(`#explanation-${second!.id}-error`).textContent()).toBeTruthy();
    expect((await contractState(stack, contract.id)).periods[0]!.report).toBeUndefined();
    // A wrong number is marked on its field.
    await page.locator(`input[name="actual.${second!.id}"]`).fill('two hundred');
    await page.getByRole('button', { name: 'Submit the report' }).click();
    expect(await page.locator(`input[name="actual.${second!.id}"]`).getAttribute('aria-invalid')).toBe(
      'true',
    );
    // Every figure given: submitted, back on the contract, reviewed.
    for (const indicator of contract.indicators) {
      await page.locator(`input[name="actual.${indicator.id}"]`).fill(String(actuals[indicator.id]));
    }
    // The action plan's progress goes with the report.
    await page.getByLabel('Status').selectOption('in-progress');
    await page.getByLabel('Progress note').fill('Both teams out since May');
    await page.getByLabel('Two outreach teams hired (due').check();
    await page.screenshot({ path: join(SHOTS, 'report-form-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 900 });
    await page.screenshot({ path: join(SHOTS, 'report-form-390.png'), fullPage: true });
    await page.getByRole('button', { name: 'Submit the report' }).click();
    await page.waitForURL(`${base}/contracts/${contract.id}?reported=Q1`);
    expect(await page.locator('main .notice').first().textContent()).toContain('The Q1 report is submitted');
    const reviewed = await waitFor(async () => {
      const s = await contractState(stack, contract.id);
      return s.periods[0]!.review ? s : undefined;
    }, 'the Q1 review');
    expect(reviewed.periods[0]!.report!.notes![first!.id]).toMatchObject({
      quality: 'verified',
      comment: 'From the district health information system',
      evidence: [{ name: 'clinic-returns.pdf', type: 'application/pdf' }],
    });
    const [outreach] = reviewed.actionPlan!;
    expect(outreach!.status).toBe('in-progress');
    expect(outreach!.milestones[0]!.doneOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(outreach!.progress.at(-1)).toMatchObject({ note: 'Both teams out since May', period: 'Q1' });
    // Another unit's person cannot open this contract's form.
    const stranger = await browser.newContext();
    await signIn(stranger, 'other@roads.example');
    const strangerPage = await stranger.newPage();
    expect((await strangerPage.goto(`${base}/contracts/${contract.id}/reports/Q1`))!.status()).toBe(403);
    await stranger.close();
    await context.close();
  });
});
