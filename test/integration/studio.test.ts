// The rule studio in a real browser, signed in as the performance office: a new rule set from the
// default, its grade bands tightened in a table (an overlap refused at its row, a concurrent save
// refused rather than lost), publication refused while a test case fails and accepted once they
// pass, and a new contract pinned to the version.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import type { RuleSetView } from '../../workflows/messages.js';
import { launchBrowser } from '../support/browser.js';
import {
  POOR_ACTUALS,
  backdatedPeriod,
  contractState,
  exampleActuals,
  exampleContract,
  signContract,
  uniqueId,
} from '../support/contracts.js';
import { OFFICE, signedInContext } from '../support/sessions.js';
import { adminToken, api, startTestStack, waitFor } from '../support/stack.js';

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

async function setBand(page: Page, row: number, limit: string): Promise<void> {
  await page.getByLabel(`Limit, row ${row}`, { exact: true }).fill(limit);
}

describe('the rule studio', () => {
  it('starts a rule set from the default, tightens a band in the table, and publishes it once its tests pass', async () => {
    const id = uniqueId('county-bands').toLowerCase();
    // A portfolio reviewed on the default: two Fair quarters at 3.68, one Poor at 5.
    const portfolio = [
      [exampleContract({ id: uniqueId('PC-WHATIF'), period: backdatedPeriod(4, 30) }), exampleActuals()],
      [exampleContract({ id: uniqueId('PC-WHATIF'), period: backdatedPeriod(4, 30) }), exampleActuals()],
      [exampleContract({ id: uniqueId('PC-WHATIF'), period: backdatedPeriod(4, 30) }), POOR_ACTUALS],
    ] as const;
    for (const [contract, actuals] of portfolio) {
      await signContract(stack, contract);
      expect(
        (await api(stack, 'POST', `/api/v1/contracts/${contract.id}/reports`, { period: 'Q1', actuals }))
          .status,
      ).toBe(200);
    }
    await waitFor(async () => {
      const states = await Promise.all(portfolio.map(([c]) => contractState(stack, c.id)));
      return states.every((st) => st.periods[0]!.review) ? true : undefined;
    }, 'three Q1 reviews');
    const office = await signedInContext(browser, stack, OFFICE);
    const page = await office.newPage();
    await page.goto(`${stack.urls.app}/rulesets/default`);
    await page.getByLabel('Id (e.g. county-2028)').fill(id);
    await page.getByLabel('Name', { exact: true }).fill('County bands 2028');
    await page.getByRole('button', { name: 'Start the new rule set' }).click();
    await page.waitForURL(`**/rulesets/${id}?draft=1`);
    expect(await page.locator('h1').textContent()).toBe('County bands 2028');
    expect(await page.locator('main').textContent()).toMatch(
      /Checked when saved: (\d+) of \1 test cases pass/,
    );

    // The bands as a table, read from the rule; the preview says what each composite is graded.
    await page.getByRole('link', { name: 'Edit the grade bands' }).click();
    expect(await page.getByLabel('Grade, row 1', { exact: true }).inputValue()).toBe('Excellent');
    expect(await page.getByLabel('Limit, row 1', { exact: true }).inputValue()).toBe('2.4');
    expect(await page.locator('ul.number-line').textContent()).toContain('Excellent: at most 2.4');
    // A band below the one above it would never be given: refused at its row, nothing saved.
    await setBand(page, 2, '2.2');
    await page.getByRole('button', { name: 'Save the draft' }).click();
    expect(await page.getByLabel('Limit, row 2', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#limit-1-error').textContent()).toContain(
      "Row 2: 2.2 is not above row 1's 2.4",
    );
    const before = await api<RuleSetView>(stack, 'GET', `/api/v1/rulesets/${id}`);
    expect(before.body.draft!.revision).toBe(1);
    // Very Good tightened to 2.9: saved, and the rule is the table's.
    await setBand(page, 2, '2.9');
    await page.getByRole('button', { name: 'Save the draft' }).click();
    await page.waitForURL(`**/rulesets/${id}?draft=1&done=saved`);
    const saved = (await api<RuleSetView>(stack, 'GET', `/api/v1/rulesets/${id}`)).body.draft!;
    expect(saved.revision).toBe(2);
    expect(saved.ruleSet.scoring.grade).toEqual({
      if: [
        { '<=': [{ var: 'composite' }, 2.4] },
        'Excellent',
        { '<=': [{ var: 'composite' }, 2.9] },
        'Very Good',
        { '<=': [{ var: 'composite' }, 3.6] },
        'Good',
        { '<=': [{ var: 'composite' }, 4] },
        'Fair',
        'Poor',
      ],
    });
    expect(saved.ruleSet.studio?.grade?.bands[1]).toEqual({ grade: 'Very Good', limit: 2.9 });
    expect(await page.locator('main').textContent()).toContain(
      'Otherwise, if the composite is at most 2.9, the grade is Very Good.',
    );

    // Someone saves while the table is open: this save is refused, theirs kept.
    await page.getByRole('link', { name: 'Edit the grade bands' }).click();
    const theirs = { ...saved.ruleSet, name: 'County bands 2028 (their edit)' };
    const other = await fetch(`${stack.urls.api}/rulesets`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'if-match': '"draft-2"',
        authorization: `Bearer ${adminToken(stack)}`,
      },
      body: JSON.stringify(theirs),
    });
    expect(other.status).toBe(201);
    await setBand(page, 1, '2.3');
    await page.getByRole('button', { name: 'Save the draft' }).click();
    expect(await page.locator('.notice.bad').textContent()).toContain('changed since you opened it');
    const kept = (await api<RuleSetView>(stack, 'GET', `/api/v1/rulesets/${id}`)).body.draft!;
    expect([kept.revision, kept.ruleSet.name]).toEqual([3, 'County bands 2028 (their edit)']);

    // Excellent tightened to 2.2 breaks the test case "2.40 is Excellent": publishing is refused.
    await page.goto(`${stack.urls.app}/rulesets/${id}/grades`);
    await setBand(page, 1, '2.2');
    await page.getByRole('button', { name: 'Save the draft' }).click();
    await page.waitForURL('**done=saved');
    expect(await page.locator('main').textContent()).toContain('to fix before publishing');
    await page.getByRole('button', { name: 'Publish this draft' }).click();
    expect(await page.locator('h1').textContent()).toBe('Not published');
    expect(await page.locator('main').textContent()).toContain('2.40 is Excellent');
    // Back to 2.4: the tests pass and it is published as version 1.
    await page.goto(`${stack.urls.app}/rulesets/${id}/grades`);
    await setBand(page, 1, '2.4');
    await page.getByRole('button', { name: 'Save the draft' }).click();
    await page.waitForURL('**done=saved');
    await page.getByLabel('Note for this version (optional)').fill('Very Good tightened to 2.9');
    await page.getByRole('button', { name: 'Publish this draft' }).click();
    await page.waitForURL(`**/rulesets/${id}?version=1&done=published`);
    expect(await page.locator('main').textContent()).toContain('Very Good tightened to 2.9');

    // An escalation from a template: "two quarters in a row below target", without any JSON.
    await page.goto(`${stack.urls.app}/rulesets/${id}/escalations`);
    await page.getByLabel('Template').selectOption('two-below-target');
    await page.getByLabel('Id of the escalation').fill('two-below-target');
    await page.getByRole('button', { name: 'Add the escalation' }).click();
    expect(
      await page.getByLabel(/^Below target means a composite worse than/).getAttribute('aria-invalid'),
    ).toBe('true');
    expect(await page.getByLabel('Message').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel(/^Below target means a composite worse than/).fill('3');
    await page
      .getByLabel('Message')
      .fill('Below target two quarters running: the principal reviews the action plan.');
    await page.getByLabel('principal', { exact: true }).check();
    await page.getByLabel('Corrective action required within (days; empty for none)').fill('14');
    await page.getByRole('button', { name: 'Add the escalation' }).click();
    await page.waitForURL('**/escalations?saved=1');
    const row = page.locator('tr', { hasText: 'two-below-target' });
    expect(await row.textContent()).toContain(
      'When the composite is worse than 3 (above it: below target) two quarters in a row.',
    );
    const withEscalation = (await api<RuleSetView>(stack, 'GET', `/api/v1/rulesets/${id}`)).body.draft!;
    expect(withEscalation.ruleSet.escalations.at(-1)).toEqual({
      id: 'two-below-target',
      when: {
        and: [
          { '>': [{ var: 'composite' }, 3] },
          { '!=': [{ var: 'previous.last.composite' }, null] },
          { '>': [{ var: 'previous.last.composite' }, 3] },
        ],
      },
      severity: 'high',
      notify: ['principal', 'managers'],
      message: 'Below target two quarters running: the principal reviews the action plan.',
      corrective: { withinDays: 14 },
    });
    expect(withEscalation.validation?.valid).toBe(true);
    // Before publishing, the draft page says what it changes since version 1, in words and in JSON.
    await page.goto(`${stack.urls.app}/rulesets/${id}?draft=1`);
    const changes = await page.locator('ul.changes').textContent();
    expect(changes).toContain(
      "Added: Escalation two-below-target: When the composite is above 3, the previous period's composite is given and the previous period's composite is above 3. high, tells principal, managers",
    );
    expect(await page.locator('details table').textContent()).toContain('/escalations/1');
    await page.goto(`${stack.urls.app}/rulesets/${id}/escalations`);
    // The default's own escalation, written as a rule, is listed in words and left as it is.
    expect(await page.locator('tr', { hasText: 'fair-or-poor' }).textContent()).toContain(
      'When the grade is Fair or Poor. (written as a rule)',
    );

    // What if Good reached 3.7? The two Fair quarters at 3.68 become Good; the Poor one stays.
    await page.goto(`${stack.urls.app}/rulesets/${id}/grades`);
    await setBand(page, 3, '3.7');
    await page.getByRole('button', { name: 'Save the draft' }).click();
    await page.waitForURL('**done=saved');
    await page.getByRole('link', { name: 'What if?' }).click();
    const summary = (await page.locator('main p').nth(1).textContent()) ?? '';
    expect(summary).toContain('3 periods: 2 change grade (2 better, 0 worse), 1 stay');
    const moved = await page.locator('tbody tr').allTextContents();
    expect(moved).toHaveLength(2);
    for (const line of moved) expect(line).toMatch(/Fair 3\.68\s*Good 3\.68\s*better/);
    expect(await page.locator('main figure svg').count()).toBe(1);

    // Try it on a real quarter, keep it as a test case, and see it guard the band.
    const [[tried]] = portfolio;
    await page.goto(`${stack.urls.app}/rulesets/${id}?draft=1`);
    await page.getByRole('link', { name: 'Try it and test cases' }).click();
    await page.getByLabel('Contract id').fill(tried.id);
    await page.getByRole('button', { name: 'Try it' }).click();
    const result = (await page.locator('main table').first().textContent()) ?? '';
    expect(result).toMatch(/As reviewed\s*3\.68\s*Fair/);
    expect(result).toMatch(/By this draft\s*3\.68\s*Good/);
    expect(await page.locator('main').textContent()).toContain(
      'The grade came from row 3 of the grade bands (at most 3.7).',
    );
    await page.getByRole('button', { name: 'Keep: the grade' }).click();
    await page.waitForURL('**/try?saved=1');
    const keptCase = page.locator('tr', { hasText: `${tried.id} Q1: 3.68 is Good` });
    expect(await keptCase.textContent()).toContain('passes');
    // Good back to 3.6: the kept case fails, in words, and publishing is refused naming it.
    await page.goto(`${stack.urls.app}/rulesets/${id}/grades`);
    await setBand(page, 3, '3.6');
    await page.getByRole('button', { name: 'Save the draft' }).click();
    await page.waitForURL('**done=saved');
    await page.getByRole('link', { name: 'Try it and test cases' }).click();
    expect(await page.locator('tr', { hasText: `${tried.id} Q1: 3.68 is Good` }).textContent()).toMatch(
      /fails.*expected "Good"|fails/,
    );
    await page.goto(`${stack.urls.app}/rulesets/${id}?draft=1`);
    await page.getByRole('button', { name: 'Publish this draft' }).click();
    expect(await page.locator('main').textContent()).toContain(`${tried.id} Q1: 3.68 is Good`);
    // Removed, the draft publishes again.
    await page.goto(`${stack.urls.app}/rulesets/${id}/try`);
    await page
      .locator('tr', { hasText: `${tried.id} Q1: 3.68 is Good` })
      .getByRole('button')
      .click();
    await page.waitForURL('**/try?saved=1');
    expect(await page.locator('tr', { hasText: `${tried.id} Q1` }).count()).toBe(0);

    // A new contract is pinned to it.
    const contract = exampleContract({ id: uniqueId('PC-STUDIO'), ruleSet: { id, version: 1 } });
    expect((await api(stack, 'POST', '/api/v1/contracts', contract)).status).toBe(201);
    await office.close();
  });

  it('edits the reporting ladder and the approval and moderation days in a table, a wrong row marked', async () => {
    const id = uniqueId('county-ladder').toLowerCase();
    const office = await signedInContext(browser, stack, OFFICE);
    const page = await office.newPage();
    await page.goto(`${stack.urls.app}/rulesets/default`);
    await page.getByLabel('Id (e.g. county-2028)').fill(id);
    await page.getByLabel('Name', { exact: true }).fill('County ladder');
    await page.getByRole('button', { name: 'Start the new rule set' }).click();
    await page.waitForURL(`**/rulesets/${id}?draft=1`);
    await page.getByRole('link', { name: 'Edit the ladder and settings' }).click();
    expect(await page.getByLabel('Step, row 4', { exact: true }).inputValue()).toBe('escalate-to-principal');
    // Escalate to the principal 10 days late instead of 14; drop the reminder; a call to the head
    // 3 days before the due day; at first 200 days (out of range) and a reminder after expiry.
    await page.getByLabel('Days from the due day, row 4', { exact: true }).fill('10');
    await page.getByLabel('Step, row 1', { exact: true }).fill('');
    await page.getByLabel('Days from the due day, row 1', { exact: true }).fill('');
    await page.getByLabel('Step, row 5', { exact: true }).fill('call-head');
    await page.getByLabel('Days from the due day, row 5', { exact: true }).fill('200');
    await page.getByLabel('unit-head, row 5').check();
    await page.getByLabel('Email, row 5', { exact: true }).selectOption('late-notice');
    await page.getByLabel('A reminder goes this many days before it expires').fill('20');
    await page.getByRole('button', { name: 'Save the draft' }).click();
    expect(await page.locator('.field-error').first().textContent()).toContain(
      'a whole number from -90 to 180',
    );
    // Shown again without the emptied row: call-head is row 4 now.
    expect(await page.getByLabel('Step, row 4', { exact: true }).inputValue()).toBe('call-head');
    await page.getByLabel('Days from the due day, row 4', { exact: true }).fill('-3');
    await page.getByRole('button', { name: 'Save the draft' }).click();
    expect(
      await page.getByLabel('A reminder goes this many days before it expires').getAttribute('aria-invalid'),
    ).toBe('true');
    await page.getByLabel('A reminder goes this many days before it expires').fill('2');
    await page.getByLabel(/^Figures may be moderated for/).fill('21');
    await page.getByRole('button', { name: 'Save the draft' }).click();
    await page.waitForURL('**done=saved');
    const draft = (await api<RuleSetView>(stack, 'GET', `/api/v1/rulesets/${id}`)).body.draft!.ruleSet;
    expect(
      draft.ladder.steps.map((s) => [s.id, s.offsetDays, s.notify, s.template, s.flagLate ?? false]),
    ).toEqual([
      ['call-head', -3, ['unit-head'], 'late-notice', false],
      ['late-notice', 0, ['unit'], 'late-notice', false],
      ['escalate-to-head', 7, ['unit-head'], 'late-escalation', false],
      ['escalate-to-principal', 10, ['principal', 'managers'], 'late-escalation', true],
    ]);
    expect([draft.approvals, draft.moderation]).toEqual([
      { expiresAfterDays: 14, reminderDaysBefore: 2 },
      { windowDays: 21 },
    ]);
    expect(await page.locator('main').textContent()).toContain(
      '10 days after the due day; the report counts as late',
    );
    await office.close();
  });

  it('edits a rule as raw JSON-Logic, with the validator pointing inside it and the rule in words', async () => {
    const id = uniqueId('county-raw').toLowerCase();
    const office = await signedInContext(browser, stack, OFFICE);
    const page = await office.newPage();
    await page.goto(`${stack.urls.app}/rulesets/default`);
    await page.getByLabel('Id (e.g. county-2028)').fill(id);
    await page.getByLabel('Name', { exact: true }).fill('County raw');
    await page.getByRole('button', { name: 'Start the new rule set' }).click();
    await page.waitForURL(`**/rulesets/${id}?draft=1`);
    await page.getByRole('link', { name: 'Edit a rule as JSON-Logic' }).click();
    await page.locator('select[name="slot"]').selectOption('guards.min-indicators');
    await page.getByRole('button', { name: 'Open' }).click();
    expect(await page.locator('main').textContent()).toContain(
      'In words: the number of the indicators is at least 2',
    );
    const rule = page.getByLabel('guards.min-indicators (JSON-Logic)');
    await rule.fill('{"<=": [{"var": "indicator"}, ');
    await page.getByRole('button', { name: 'Check' }).click();
    expect(await page.locator('#rule-problems').textContent()).toContain('Not JSON');
    expect(await rule.getAttribute('aria-invalid')).toBe('true');
    await rule.fill(
      '{">=": [{"reduce": [{"var": "indicatorz"}, {"+": [{"var": "accumulator"}, 1]}, 0]}, 3]}',
    );
    await page.getByRole('button', { name: 'Check' }).click();
    expect(await page.locator('#rule-problems').textContent()).toMatch(/indicatorz/);
    expect((await api<RuleSetView>(stack, 'GET', `/api/v1/rulesets/${id}`)).body.draft!.revision).toBe(1);
    await rule.fill(
      '{">=": [{"reduce": [{"var": "indicators"}, {"+": [{"var": "accumulator"}, 1]}, 0]}, 3]}',
    );
    await page.getByRole('button', { name: 'Check' }).click();
    expect(await page.locator('main').textContent()).toContain('No problem found in this rule.');
    await page.getByRole('button', { name: 'Save the draft' }).click();
    await page.waitForURL('**saved=1');
    const draft = (await api<RuleSetView>(stack, 'GET', `/api/v1/rulesets/${id}`)).body.draft!;
    expect(draft.ruleSet.guards.find((g) => g.id === 'min-indicators')!.rule).toEqual({
      '>=': [{ reduce: [{ var: 'indicators' }, { '+': [{ var: 'accumulator' }, 1] }, 0] }, 3],
    });
    expect(draft.revision).toBe(2);
    await office.close();
  });

  it('adds a vetting guard from a template, which then refuses terms that break it', async () => {
    const id = uniqueId('county-guards').toLowerCase();
    const office = await signedInContext(browser, stack, OFFICE);
    const page = await office.newPage();
    await page.goto(`${stack.urls.app}/rulesets/default`);
    await page.getByLabel('Id (e.g. county-2028)').fill(id);
    await page.getByLabel('Name', { exact: true }).fill('County guards');
    await page.getByRole('button', { name: 'Start the new rule set' }).click();
    await page.waitForURL(`**/rulesets/${id}?draft=1`);
    await page.getByRole('link', { name: 'Edit the vetting guards' }).click();
    expect(await page.locator('tr', { hasText: 'weights-sum-100' }).textContent()).toContain(
      '(written as a rule)',
    );
    await page.getByLabel('Template', { exact: true }).selectOption('max-weight');
    await page.getByLabel('Id of the guard').fill('max-weight-15');
    await page.getByRole('button', { name: 'Add the guard' }).click();
    expect(await page.getByLabel("An indicator's weight, at most").getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('What it says when the terms fail it').getAttribute('aria-invalid')).toBe(
      'true',
    );
    await page.getByLabel("An indicator's weight, at most").fill('15');
    await page.getByLabel('What it says when the terms fail it').fill('No indicator may weigh more than 15.');
    await page.getByRole('button', { name: 'Add the guard' }).click();
    await page.waitForURL('**/guards?saved=1');
    expect(await page.locator('tr', { hasText: 'max-weight-15' }).textContent()).toContain(
      'Each indicator passes when its weight is at most 15.',
    );
    const guard = (
      await api<RuleSetView>(stack, 'GET', `/api/v1/rulesets/${id}`)
    ).body.draft!.ruleSet.guards.at(-1);
    expect(guard).toEqual({
      id: 'max-weight-15',
      scope: 'indicator',
      message: 'No indicator may weigh more than 15.',
      rule: { '<=': [{ var: 'weight' }, 15] },
    });
    await page.goto(`${stack.urls.app}/rulesets/${id}?draft=1`);
    await page.getByRole('button', { name: 'Publish this draft' }).click();
    await page.waitForURL('**done=published');
    // The example weighs immunisation 20: refused at creation, at that indicator.
    const refused = await api<{ errors: { pointer: string; message: string }[] }>(
      stack,
      'POST',
      '/api/v1/contracts',
      exampleContract({ id: uniqueId('PC-GUARD'), ruleSet: { id, version: 1 } }),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toEqual({
      pointer: '/indicators/0',
      message: '[max-weight-15] immunisation: No indicator may weigh more than 15.',
    });
    await office.close();
  });
});
