// A corrective action in a real browser, signed in as the unit: an escalation asks for one after
// a Fair review; the unit adds it to its plan from the contract page (a missing field marked),
// then closes it with a note and a PDF (closing with nothing is refused at the note).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import { launchBrowser } from '../support/browser.js';
import {
  backdatedPeriod,
  contractState,
  exampleActuals,
  exampleContract,
  signContract,
  uniqueId,
} from '../support/contracts.js';
import { correctiveDraft, publishRuleSet } from '../support/rulesets.js';
import { signedInContext } from '../support/sessions.js';
import { api, startTestStack, waitFor } from '../support/stack.js';

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

describe('corrective actions in the browser', () => {
  it('lets the unit add the action an escalation asked for, then close it with a note and evidence', async () => {
    const ruleSetId = uniqueId('corrective-pages').toLowerCase();
    await publishRuleSet(stack, correctiveDraft(ruleSetId));
    const contract = exampleContract({
      id: uniqueId('PC-CORR'),
      period: backdatedPeriod(4, 30),
      ruleSet: { id: ruleSetId, version: 1 },
    });
    await signContract(stack, contract);
    expect(
      (
        await api(stack, 'POST', `/api/v1/contracts/${contract.id}/reports`, {
          period: 'Q1',
          actuals: exampleActuals(),
        })
      ).status,
    ).toBe(200);
    const asked = await waitFor(async () => {
      const s = await contractState(stack, contract.id);
      return s.correctiveActions?.length ? s.correctiveActions[0]! : undefined;
    }, 'a corrective action asked for');

    const unit = await signedInContext(browser, stack, {
      email: contract.unit.signatory.email,
      role: 'unit',
      unit: contract.unit.name,
    });
    const page = await unit.newPage();
    await page.goto(`${stack.urls.app}/contracts/${contract.id}`);
    await page.getByRole('link', { name: 'add to the plan' }).click();
    expect(await page.locator('main').textContent()).toContain(asked.message);
    await page.getByRole('button', { name: 'Add to the plan' }).click();
    expect(await page.getByLabel('What will be done').getAttribute('aria-invalid')).toBe('true');
    expect((await contractState(stack, contract.id)).correctiveActions![0]!.status).toBe('requested');
    await page.getByLabel('What will be done').fill('Weekend immunisation clinics in the two lowest wards');
    await page.getByLabel('Indicators it serves').fill('immunisation');
    await page.getByLabel('Owner', { exact: true }).fill('Dr. A. Wanjiru');
    await page.getByLabel("Owner's email").fill('a.wanjiru@health.county.example');
    await page.getByLabel('Due (YYYY-MM-DD)').fill(asked.addBy);
    await page.getByRole('button', { name: 'Add to the plan' }).click();
    await page.waitForURL('**?done=added');
    expect((await contractState(stack, contract.id)).correctiveActions![0]).toMatchObject({
      status: 'open',
      initiative: asked.id,
      due: asked.addBy,
    });

    // Closing with nothing to show is refused at the note; a note and a PDF close it.
    await page.getByRole('button', { name: 'Close the action' }).click();
    expect(await page.getByLabel('What was done').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('What was done').fill('Clinics held on four weekends; 312 children reached');
    await page.getByLabel('Evidence').setInputFiles({
      name: 'clinic-register.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n'),
    });
    await page.getByRole('button', { name: 'Close the action' }).click();
    await page.waitForURL('**?done=closed');
    expect(await page.getByRole('link', { name: 'clinic-register.pdf' }).count()).toBe(1);
    const closed = (await contractState(stack, contract.id)).correctiveActions![0]!;
    expect(closed).toMatchObject({
      status: 'closed',
      closing: {
        note: 'Clinics held on four weekends; 312 children reached',
        evidence: [{ name: 'clinic-register.pdf', type: 'application/pdf' }],
      },
    });
    await unit.close();
  });
});
