// The rule studio's criteria table and condition builder in a real browser, signed in as the
// performance office: the default's indicator rule read as rows, a row out of order refused at the
// row, the table made stepped with a row more and saved as the rule the engine runs, a rule written
// raw (the percent scale) replaced by a table only when the office asks; an escalation and a vetting
// guard built from groups of comparisons, a wrong value refused at its row.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import { compileCondition } from '../../rules/conditions.js';
import { compileTable } from '../../rules/criteria-table.js';
import { evaluate } from '../../rules/engine/index.js';
import { builtInRuleSet } from '../../rules/library/index.js';
import type { RuleSetView } from '../../workflows/messages.js';
import { launchBrowser } from '../support/browser.js';
import { backdatedPeriod, exampleContract, signedWithQ1Review, uniqueId } from '../support/contracts.js';
import { defaultDraft } from '../support/rulesets.js';
import { OFFICE, signedInContext } from '../support/sessions.js';
import { adminToken, api, startTestStack } from '../support/stack.js';

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

const draftOf = async (id: string) =>
  (await api<RuleSetView>(stack, 'GET', `/api/v1/rulesets/${id}`)).body.draft!;

describe("the studio's criteria table", () => {
  it('reads the default as rows, refuses a row out of order, and saves a stepped table as the rule', async () => {
    const id = uniqueId('county-scores').toLowerCase();
    expect((await api(stack, 'POST', '/api/v1/rulesets', defaultDraft(id))).status).toBe(201);
    const office = await signedInContext(browser, stack, OFFICE);
    const page = await office.newPage();
    await page.goto(`${stack.urls.app}/rulesets/${id}?draft=1`);
    await page.getByRole('link', { name: 'Edit the indicator scores' }).click();
    const field = (name: string, row: number) => page.getByLabel(`${name}, row ${row}`, { exact: true });
    expect(await field('Criterion', 1).inputValue()).toBe('poor');
    expect(await field('Where', 1).inputValue()).toBe('baseline');
    expect(await field('Score', 1).inputValue()).toBe('5');
    expect(await field('Where', 2).inputValue()).toBe('target');
    expect(await field('Where', 3).inputValue()).toBe('beyond-target');
    expect(await field('Share in percent', 3).inputValue()).toBe('20');
    // The number line: an image described in words, and each row's value for the examples.
    expect(await page.locator('figure svg[role="img"]').getAttribute('aria-label')).toBe(
      'What each actual scores, for an example indicator of each direction',
    );
    const examples = await page.locator('main table').allTextContents();
    expect(examples[1]).toContain('the baseline605the target803' + '20% beyond the target961');
    expect(examples[2]).toContain('the baseline205the target103' + '20% beyond the target81');

    // A row placed before the one above it, and a score that gets worse: refused at their rows.
    await field('Where', 2).selectOption('baseline');
    await field('Score', 3).fill('4');
    await page.getByRole('button', { name: 'Save the draft' }).click();
    expect(await field('Where', 2).getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#from-1-error').textContent()).toBe(
      "Row 2: the baseline is not beyond row 1's the baseline: rows go from the worst value to the best, so these would overlap.",
    );
    expect(await page.locator('#score-2-error').textContent()).toContain("Row 3: 4 is not below row 2's 3");
    expect((await draftOf(id)).revision).toBe(1);
    // A row given a score that is no number, and no place: both refused, what was typed kept.
    await field('Score', 4).fill('0.5 or so');
    await page.getByRole('button', { name: 'Save the draft' }).click();
    expect(await page.locator('#from-3-error').textContent()).toBe(
      'Row 4: say where the row is on the scale.',
    );
    expect(await page.locator('#score-3-error').textContent()).toBe('Row 4: the score must be a number.');
    expect(await field('Where', 4).inputValue()).toBe('');
    expect(await field('Score', 4).inputValue()).toBe('0.5 or so');
    await field('Score', 4).fill('');

    // Stepped, with a row halfway (4) and the excellent row 10% beyond the target.
    await page.getByLabel('the score of the best row reached (stepped)').check();
    await field('Where', 2).selectOption('span');
    await field('Share in percent', 2).fill('50');
    await field('Score', 2).fill('4');
    await field('Criterion', 3).fill('');
    await field('Where', 3).selectOption('target');
    await field('Share in percent', 3).fill('');
    await field('Score', 3).fill('3');
    await field('Criterion', 4).fill('excellent');
    await field('Where', 4).selectOption('beyond-target');
    await field('Share in percent', 4).fill('10');
    await field('Score', 4).fill('1');
    await page.getByLabel('Stepped: score of an actual short of the first row').fill('5');
    await page.getByRole('button', { name: 'Save the draft' }).click();
    await page.waitForURL('**/scoring?saved=1');
    const saved = await draftOf(id);
    expect(saved.revision).toBe(2);
    const table = saved.ruleSet.studio!.indicator!;
    expect(table).toEqual({
      kind: 'criteria',
      method: 'step',
      missing: 5,
      below: 5,
      rows: [
        { criterion: 'poor', at: { from: 'baseline' }, score: 5 },
        { at: { from: 'span', share: 0.5 }, score: 4 },
        { at: { from: 'target' }, score: 3 },
        { criterion: 'excellent', at: { from: 'beyond-target', share: 0.1 }, score: 1 },
      ],
    });
    expect(saved.ruleSet.scoring.indicator).toEqual(compileTable(table));
    // The rule the engine runs: a higher-is-better indicator, baseline 60, target 80.
    const scoreOf = (actual: number) =>
      evaluate(saved.ruleSet.scoring.indicator, {
        actual,
        direction: 'higher',
        baseline: 60,
        target: 80,
        periodBaseline: 60,
        periodTarget: 80,
      });
    expect([59, 60, 70, 79, 80, 88].map(scoreOf)).toEqual([5, 5, 4, 4, 3, 1]);
    expect(saved.ruleSet.scoring.criteria).toEqual({
      poor: builtInRuleSet('default')!.scoring.criteria!.poor,
      excellent: 'the value that scores 1; default: 10% beyond the target',
    });
    await page.goto(`${stack.urls.app}/rulesets/${id}?draft=1`);
    expect(await page.locator('main').textContent()).toContain(
      "When the actual is at or beyond 50% of the way from the baseline to the target, in the indicator's direction, the score is 4.",
    );
    await office.close();
  });

  it('leaves a rule written raw as it is, and replaces it with a table only when asked', async () => {
    const id = uniqueId('county-percent').toLowerCase();
    const percent = builtInRuleSet('percent')!;
    const draft = defaultDraft(id, (d) => {
      d.scoring = { ...percent.scoring };
      d.escalations = [];
      d.tests = [];
    });
    expect((await api(stack, 'POST', '/api/v1/rulesets', draft)).status).toBe(201);
    const office = await signedInContext(browser, stack, OFFICE);
    const page = await office.newPage();
    await page.goto(`${stack.urls.app}/rulesets/${id}/scoring`);
    expect(await page.locator('h2').first().textContent()).toBe('Written as a rule');
    expect(await page.locator('form[action$="/scoring"]').count()).toBe(0);
    await page.getByRole('link', { name: 'Replace it with a table' }).click();
    const field = (name: string, row: number) => page.getByLabel(`${name}, row ${row}`, { exact: true });
    // The scores the percent rule gives at the baseline, the target and 20% beyond it.
    expect(await Promise.all([1, 2, 3].map((row) => field('Score', row).inputValue()))).toEqual([
      '60',
      '90',
      '100',
    ]);
    expect((await draftOf(id)).revision).toBe(1);
    await page.getByRole('button', { name: 'Save the draft' }).click();
    await page.waitForURL('**/scoring?saved=1');
    const saved = await draftOf(id);
    expect(saved.revision).toBe(2);
    expect(saved.ruleSet.studio?.indicator?.rows.map((r) => r.score)).toEqual([60, 90, 100]);
    expect(saved.ruleSet.scoring.criteria).toBeUndefined();
    await office.close();
  });

  it('builds an escalation and a vetting guard from groups of comparisons, a wrong value refused at its row', async () => {
    const id = uniqueId('county-built').toLowerCase();
    expect((await api(stack, 'POST', '/api/v1/rulesets', defaultDraft(id))).status).toBe(201);
    const office = await signedInContext(browser, stack, OFFICE);
    const page = await office.newPage();
    await page.goto(`${stack.urls.app}/rulesets/${id}/escalations`);
    const row = (name: string, group: number, comparison: number) =>
      page.getByLabel(`${name}, group ${group}, comparison ${comparison}`, { exact: true });
    await page.getByLabel('Template', { exact: true }).selectOption('condition');
    await row('Field', 1, 1).selectOption({ label: 'the grade' });
    await row('Comparison', 1, 1).selectOption({ label: 'is one of' });
    await row('Value', 1, 1).fill('Fair, Poor');
    await row('Field', 1, 2).selectOption({ label: "the quarter before's composite" });
    await row('Comparison', 1, 2).selectOption({ label: 'is above' });
    await row('Value', 1, 2).fill('three and a half');
    await page.getByLabel('Group 2 is read on').selectOption({ label: 'some indicator' });
    await row('Field', 2, 1).selectOption({ label: 'actual' });
    await row('Comparison', 2, 1).selectOption({ label: 'is below' });
    await row('Another field', 2, 1).selectOption({ label: "quarter's target" });
    await page.getByLabel('The groups are joined by').selectOption('or');
    await page.getByLabel('Id of the escalation').fill('slipping');
    await page.getByLabel('Message', { exact: true }).fill('Slipping: a grade or a figure below its target.');
    await page.getByRole('button', { name: 'Add the escalation' }).click();
    expect(await row('Value', 1, 2).getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#cond-0-1-value-error').textContent()).toBe(
      'Group 1, comparison 2: give a number.',
    );
    expect((await draftOf(id)).revision).toBe(1);
    await row('Value', 1, 2).fill('3.5');
    await page.getByRole('button', { name: 'Add the escalation' }).click();
    await page.waitForURL('**/escalations?saved=1');
    const condition = {
      join: 'or',
      groups: [
        {
          over: 'it',
          join: 'and',
          clauses: [
            { field: 'grade', op: 'in', value: ['Fair', 'Poor'] },
            { field: 'previous.last.composite', op: '>', value: 3.5 },
          ],
        },
        { over: 'some', join: 'and', clauses: [{ field: 'actual', op: '<', other: 'periodTarget' }] },
      ],
    } as const;
    const saved = (await draftOf(id)).ruleSet;
    expect(saved.studio?.escalations?.slipping).toEqual({ template: 'condition', condition });
    expect(saved.escalations.find((e) => e.id === 'slipping')?.when).toEqual(
      compileCondition('escalation', structuredClone(condition) as never),
    );
    expect(await page.locator('tr', { hasText: 'slipping' }).textContent()).toContain(
      'When (the grade is one of "Fair", "Poor" and the quarter before\'s composite is above 3.5) or (some indicator has actual is below quarter\'s target).',
    );

    // A guard on the terms: at most 8 indicators, and every indicator weighs at least 5.
    await page.goto(`${stack.urls.app}/rulesets/${id}/guards`);
    await page.getByLabel('Template', { exact: true }).selectOption('condition');
    await page.getByLabel('the terms together', { exact: true }).check();
    await row('Field', 1, 1).selectOption({ label: 'the number of indicators' });
    await row('Comparison', 1, 1).selectOption({ label: 'is at most' });
    await row('Value', 1, 1).fill('8');
    await page.getByLabel('Group 2 is read on').selectOption({ label: 'every indicator of the terms' });
    await row('Field', 2, 1).selectOption({ label: 'weight' });
    await row('Comparison', 2, 1).selectOption({ label: 'is at least' });
    await row('Value', 2, 1).fill('5');
    await page.getByLabel('Id of the guard').fill('eight-of-five');
    await page
      .getByLabel('What it says when the terms fail it')
      .fill('At most 8 indicators, each weighing 5 or more.');
    await page.getByRole('button', { name: 'Add the guard' }).click();
    await page.waitForURL('**/guards?saved=1');
    const guard = (await draftOf(id)).ruleSet.guards.find((g) => g.id === 'eight-of-five');
    expect(guard?.scope).toBe('contract');
    expect(await page.locator('tr', { hasText: 'eight-of-five' }).textContent()).toContain(
      'The terms pass when (the number of indicators is at most 8) and (every indicator has weight is at least 5).',
    );
    await office.close();
  });

  it('checks a raw rule as it is typed, each problem selecting its place in the text', async () => {
    const id = uniqueId('county-live').toLowerCase();
    expect((await api(stack, 'POST', '/api/v1/rulesets', defaultDraft(id))).status).toBe(201);
    const office = await signedInContext(browser, stack, OFFICE);
    const page = await office.newPage();
    await page.goto(`${stack.urls.app}/rulesets/${id}/raw?slot=scoring.grade`);
    const rule = page.getByLabel('scoring.grade (JSON-Logic)');
    await rule.fill('{"if": [\n  {"<=": [{"var": "composit"}, 2.4]}, "Excellent",\n  "Poor"\n]}');
    const problems = page.locator('#rule-problems li');
    await problems.first().waitFor();
    expect(await problems.first().textContent()).toContain(
      "error at /if/0/<=/0: unknown variable 'composit'; did you mean 'composite'?",
    );
    expect(await rule.getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('button', { name: 'line 2, column 11' }).click();
    const selected = await rule.evaluate((el) => {
      // Runs in the page: the text area's selection.
      const area = el as unknown as { value: string; selectionStart: number; selectionEnd: number };
      return area.value.slice(area.selectionStart, area.selectionEnd);
    });
    expect(selected).toBe('{"var": "composit"}');
    // Not JSON: said at once, at its place.
    await rule.fill('{"if": [');
    await page.locator('#rule-problems li', { hasText: 'Not JSON' }).waitFor();
    // Fixed: no problem, the rule in words; nothing was saved by checking.
    await rule.fill('{"if": [{"<=": [{"var": "composite"}, 2.4]}, "Excellent", "Poor"]}');
    await page.locator('#rule-check', { hasText: 'No problem found in this rule.' }).waitFor();
    expect(await rule.getAttribute('aria-invalid')).toBeNull();
    expect(await page.locator('#rule-check').textContent()).toContain(
      'In words: Excellent if the composite is at most 2.4; otherwise Poor',
    );
    expect((await draftOf(id)).revision).toBe(1);
    await office.close();
  });

  it("keeps an indicator's score and an escalation from a try as test cases, which run at every save", async () => {
    const id = uniqueId('county-cases').toLowerCase();
    expect((await api(stack, 'POST', '/api/v1/rulesets', defaultDraft(id))).status).toBe(201);
    const contract = exampleContract({ id: uniqueId('PC-CASES'), period: backdatedPeriod(4, 30) });
    await signedWithQ1Review(stack, contract);
    const office = await signedInContext(browser, stack, OFFICE);
    const page = await office.newPage();
    await page.goto(`${stack.urls.app}/rulesets/${id}/try?contract=${contract.id}&period=Q1`);
    const immunisation = page.locator('tr', { hasText: 'immunisation: actual 83' });
    expect(await immunisation.textContent()).toMatch(/reviewed: score [\d.]+/);
    // Which rows of the criteria table gave the score.
    expect(await immunisation.textContent()).toMatch(
      /\((between row \d \(.+\) and row \d|row \d \(.+\) reached|short of row 1)/,
    );
    await immunisation.getByRole('button', { name: "Keep: immunisation's score" }).click();
    await page.waitForURL('**/try?saved=1');
    await page.goto(`${stack.urls.app}/rulesets/${id}/try?contract=${contract.id}&period=Q1`);
    await page.getByRole('button', { name: /^Keep: fair-or-poor (fires|does not fire)$/ }).click();
    await page.waitForURL('**/try?saved=1');
    const tests = (await draftOf(id)).ruleSet.tests!.slice(-2);
    expect(tests.map((t) => t.slot)).toEqual(['scoring.indicator', 'escalations.fair-or-poor']);
    expect(tests[0]!.data).toMatchObject({ id: 'immunisation', actual: 83, period: 'Q1' });
    expect(typeof tests[0]!.expect).toBe('number');
    expect(tests[1]!.data).toMatchObject({ period: 'Q1', missing: [] });
    expect(typeof tests[1]!.expect).toBe('boolean');
    for (const slot of ['scoring.indicator', 'escalations.fair-or-poor'])
      expect(await page.locator('tr', { hasText: slot }).last().textContent()).toContain('passes');
    // The indicator rule changed under it (every score 1): its kept case fails, in words.
    const draft = (await draftOf(id)).ruleSet;
    const changed = await fetch(`${stack.urls.api}/rulesets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken(stack)}` },
      body: JSON.stringify({ ...draft, scoring: { ...draft.scoring, indicator: 1 } }),
    });
    expect(changed.status).toBe(201);
    await page.goto(`${stack.urls.app}/rulesets/${id}/try`);
    expect(await page.locator('tr', { hasText: 'scoring.indicator' }).last().textContent()).toContain(
      'fails',
    );
    await office.close();
  });
});
