// Every page of the web application, as the people who use it see it, checked by axe-core for
// serious or critical WCAG 2.1 A/AA violations at a desktop's width and a phone's, with a
// screenshot of each under test-results/screenshots/ (git-ignored).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import { projectRoot } from '../../cli/temporal-binaries.js';
import { seriousViolations, type Violation } from '../support/axe.js';
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
import { OFFICE, signedInContext } from '../support/sessions.js';
import { api, approvalLink, messages, startTestStack, waitFor, waitForEmail } from '../support/stack.js';

const SHOTS = join(projectRoot, 'test-results', 'screenshots');

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startTestStack();
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Opens each page at both widths; returns what axe found, by page. */
async function check(
  context: BrowserContext,
  pages: [string, string][],
): Promise<Record<string, Violation[]>> {
  const found: Record<string, Violation[]> = {};
  const page = await context.newPage();
  for (const [name, path] of pages) {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      const response = await page.goto(path.startsWith('http') ? path : stack.urls.app + path);
      expect([name, response!.status()]).toEqual([name, 200]);
      await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
      const violations = await seriousViolations(page);
      if (violations.length > 0) found[`${name} at ${width}`] = violations;
    }
  }
  await page.close();
  return found;
}

describe('accessibility', () => {
  it('finds no serious violation on any page, for the office, a manager, a unit and a stranger', async () => {
    const ruleSetId = uniqueId('a11y').toLowerCase();
    await publishRuleSet(stack, correctiveDraft(ruleSetId));
    const active = exampleContract({
      id: uniqueId('PC-A11Y'),
      category: 'Counties',
      period: backdatedPeriod(7, 30),
      ruleSet: { id: ruleSetId, version: 1 },
      actionPlan: [
        {
          id: 'outreach',
          title: 'Mobile immunisation outreach',
          indicators: ['immunisation'],
          owner: { name: 'Dr. A. Wanjiru', email: 'a.wanjiru@health.county.example' },
          milestones: [{ id: 'teams', title: 'Two outreach teams hired', due: backdatedPeriod(7).start }],
        },
      ],
    });
    await signContract(stack, active);
    expect(
      (
        await api(stack, 'POST', `/api/v1/contracts/${active.id}/reports`, {
          period: 'Q1',
          actuals: exampleActuals(),
        })
      ).status,
    ).toBe(200);
    const reviewed = await waitFor(async () => {
      const s = await contractState(stack, active.id);
      return s.correctiveActions?.length ? s : undefined;
    }, 'the Q1 review and its corrective action');
    const negotiating = exampleContract({ id: uniqueId('PC-A11Y-NEG') });
    expect((await api(stack, 'POST', '/api/v1/contracts', negotiating)).status).toBe(201);
    const agree = await waitForEmail(
      stack,
      (m) => m.subject === `${negotiating.id}: please agree to revision 1`,
      'agree',
    );
    const pending = (await contractState(stack, negotiating.id)).pendingApprovals[0]!;
    const message = (await messages(stack)).find((m) => m.subject.includes(negotiating.id))!;
    const year = active.period.start.slice(0, 4);

    const office = await signedInContext(browser, stack, OFFICE);
    const manager = await signedInContext(browser, stack, {
      email: 'pmo@county.example',
      name: 'C. Mwangi',
      role: 'manager',
    });
    const unit = await signedInContext(browser, stack, {
      email: active.unit.signatory.email,
      role: 'unit',
      unit: active.unit.name,
    });
    const stranger = await browser.newContext();
    const found = {
      ...(await check(office, [
        ['contracts', '/'],
        ['contract', `/contracts/${active.id}`],
        ['record', `/contracts/${active.id}/record`],
        ['contract-new', '/contracts/new'],
        ['contract-copy', `/contracts/new?from=${active.id}`],
        ['portfolio', `/portfolio?quarter=${year}-Q1`],
        ['people', '/people'],
        ['rulesets', '/rulesets'],
        ['ruleset', '/rulesets/default'],
        ['ruleset-draft', `/rulesets/${ruleSetId}?draft=1`],
        ['ruleset-scoring', `/rulesets/${ruleSetId}/scoring`],
        ['ruleset-grades', `/rulesets/${ruleSetId}/grades`],
        ['ruleset-escalations', `/rulesets/${ruleSetId}/escalations`],
        ['ruleset-settings', `/rulesets/${ruleSetId}/settings`],
        ['ruleset-guards', `/rulesets/${ruleSetId}/guards`],
        ['ruleset-raw', `/rulesets/${ruleSetId}/raw?slot=scoring.grade`],
        ['ruleset-what-if', `/rulesets/${ruleSetId}/what-if`],
        ['ruleset-try', `/rulesets/${ruleSetId}/try?contract=${active.id}&period=Q1`],
        ['outbox', '/outbox'],
        ['outbox-message', `/outbox/${message.id}`],
        ['document', reviewed.periods[0]!.review!.documentUrl!],
      ])),
      ...(await check(manager, [
        ['moderate', `/contracts/${active.id}/moderate/Q1`],
        ['request-suspend', `/contracts/${active.id}/request/suspend`],
        ['revise', `/contracts/${active.id}/revise`],
        ['hand-over', `/contracts/${negotiating.id}/approvals/${pending.id}/hand-over`],
      ])),
      ...(await check(unit, [
        ['report', `/contracts/${active.id}/reports/Q2`],
        [
          'corrective-action',
          `/contracts/${active.id}/corrective-actions/${reviewed.correctiveActions![0]!.id}`,
        ],
      ])),
      ...(await check(stranger, [
        ['sign-in', '/sign-in'],
        ['sign-in-confirm', `/sign-in/${(await stack.users.issueLink(OFFICE.email))!}`],
        ['approval', approvalLink(agree)],
      ])),
    };
    expect(found).toEqual({});
  });
});
