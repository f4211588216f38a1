// The rules platform end to end, on the real Temporal dev server and HTTP: a performance office
// drafts a rule set, is taught what is wrong, fixes it, simulates it over a reviewed contract,
// publishes it, and a new contract is scored by the published version; versions never change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import type { RuleSet, RuleSetDraft } from '../../model/ruleset.js';
import type { ContractState } from '../../model/state.js';
import { findBuiltInRuleSet } from '../../rules/library/index.js';
import type { RuleSetDiagnostic, RuleSetValidation } from '../../rules/ruleset-validation.js';
import type { SimulationResult } from '../../rules/simulate.js';
import { recordHistory } from '../support/histories.js';
import { RULESET_WORKFLOW, ruleSetWorkflowId, type RuleSetView } from '../../workflows/messages.js';
import { contractState, exampleContract, signContract, uniqueId } from '../support/contracts.js';
import {
  adminToken,
  api,
  issueTestToken,
  startTestStack,
  waitFor,
  waitForEmail,
  fetchDocument,
} from '../support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

const Q1_ACTUALS = {
  immunisation: 83,
  'maternal-deaths': 292,
  'skilled-births': 70,
  'drug-stockouts': 11,
  'outpatient-wait': 80,
  'tb-treatment-success': 87,
  'budget-absorption': 18,
  'pending-bills': 230,
};

type Errors = { errors: { pointer: string; message: string }[] };
type Saved = RuleSetValidation & { id: string; revision: number };

/** What a browser shows of HTML text: the entities Handlebars escapes, decoded. */
function visibleText(html: string): string {
  const entities: Record<string, string> = {
    '&lt;': '<',
    '&gt;': '>',
    '&#x3D;': '=',
    '&quot;': '"',
    '&#x27;': "'",
    '&amp;': '&',
  };
  return html.replace(/&lt;|&gt;|&#x3D;|&quot;|&#x27;|&amp;/g, (e) => entities[e]!);
}

function errorsIn(diagnostics: RuleSetDiagnostic[]): string[][] {
  return diagnostics.filter((d) => d.severity === 'error').map((d) => [d.pointer, d.message]);
}

/** The office's draft: the built-in percent rule set under a new id. */
function percentDraft(id: string): RuleSetDraft {
  const draft: RuleSetDraft = structuredClone(findBuiltInRuleSet('percent', 1)!);
  delete draft.version;
  return { ...draft, id, name: 'County percentage criteria, FY 2025/26' };
}

/** A contract signed months into a year that is over, with its Q1 reported and reviewed. */
async function reviewedContract(ruleSet: { id: string; version: number }): Promise<ContractState> {
  const contract = exampleContract({
    id: uniqueId('PC-RS'),
    period: { start: '2025-07-01', end: '2026-06-30', reporting: 'quarterly', reportDueDays: 15 },
    ruleSet,
  });
  await signContract(stack, contract);
  const reported = await api(stack, 'POST', `/api/v1/contracts/${contract.id}/reports`, {
    period: 'Q1',
    actuals: Q1_ACTUALS,
  });
  expect(reported.status).toBe(200);
  return waitFor(async () => {
    const state = await contractState(stack, contract.id);
    return state.periods[0]?.review?.documentUrl ? state : undefined;
  }, `${contract.id} Q1 review`);
}

describe('a rule set from draft to a contract scored by it', () => {
  it('is drafted, taught, fixed, simulated, published and picked by a new contract', async () => {
    const id = uniqueId('county-pct');
    const broken = percentDraft(id);
    // A typo in a variable, and a test case that expects the wrong score.
    broken.escalations.push({
      id: 'watch-list',
      when: { '==': [{ var: 'grde' }, 'Poor'] },
      severity: 'high',
      notify: ['principal'],
      message: 'Poor: the unit goes on the watch list.',
    });
    broken.tests = [
      ...broken.tests!,
      {
        description: 'the target scores 100',
        slot: 'scoring.indicator',
        data: { actual: 85, baseline: 78, target: 85, direction: 'higher' },
        expect: 100,
      },
    ];

    // A draft with rule errors is saved (it is a draft), and the answer says what is wrong.
    const saved = await api<Saved>(stack, 'POST', '/api/v1/rulesets', broken);
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ id, revision: 1, valid: false });
    const lastTest = `/tests/${broken.tests.length - 1}`;
    expect(errorsIn(saved.body.diagnostics)).toEqual([
      ['/escalations/3/when/==/0', "unknown variable 'grde'; did you mean 'grade'?"],
      [lastTest, 'test "the target scores 100" (scoring.indicator) failed: expected 100, got 90'],
    ]);

    const validated = await api<RuleSetValidation>(stack, 'POST', `/api/v1/rulesets/${id}/validate`);
    expect(validated.status).toBe(200);
    expect(validated.body.valid).toBe(false);
    expect(validated.body.diagnostics).toEqual(saved.body.diagnostics);

    const refused = await api<Errors>(stack, 'POST', `/api/v1/rulesets/${id}/publish`);
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e) => e.pointer)).toEqual(['/escalations/3/when/==/0', lastTest]);
    expect((await api<RuleSetView>(stack, 'GET', `/api/v1/rulesets/${id}`)).body.versions).toEqual([]);

    // Fixed: the draft is valid and every test passes.
    const fixed = await api<Saved>(stack, 'POST', '/api/v1/rulesets', percentDraft(id));
    expect(fixed.status).toBe(201);
    expect(fixed.body).toMatchObject({
      revision: 2,
      valid: true,
      diagnostics: [],
      tests: { run: 24, passed: 24 },
    });

    // What-if over a contract reviewed under default: Fair 3.68 there, Good 79.06 by the draft.
    const reviewed = await reviewedContract({ id: 'default', version: 1 });
    expect(reviewed.periods[0]!.review).toMatchObject({ score: 3.68, grade: 'Fair' });
    const simulated = await api<SimulationResult & { ruleSet: unknown }>(
      stack,
      'POST',
      `/api/v1/rulesets/${id}/simulate`,
      {
        contracts: [reviewed.id],
      },
    );
    expect(simulated.status).toBe(200);
    expect(simulated.body.ruleSet).toEqual({ id, kind: 'draft', revision: 2 });
    expect(simulated.body.contracts).toEqual([
      {
        id: reviewed.id,
        title: reviewed.title,
        periods: [
          {
            period: 'Q1',
            before: { score: 3.68, grade: 'Fair', escalations: ['fair-or-poor'] },
            after: { score: 79.06, grade: 'Good', escalations: ['indicator-at-poor'] },
            // Fair and Good are both in the draft's grades: Good ranks higher.
            change: 'better',
          },
        ],
      },
    ]);
    expect(simulated.body.summary).toMatchObject({
      contracts: 1,
      periods: 1,
      gradesChanged: 1,
      better: 1,
      escalationsChanged: 1,
    });

    // Without a list, every contract with scored periods is read (visibility catches up within moments).
    const all = await waitFor(async () => {
      const response = await api<SimulationResult>(stack, 'POST', `/api/v1/rulesets/${id}/simulate`, {});
      return response.body.contracts.some((c) => c.id === reviewed.id) ? response.body : undefined;
    }, 'a simulation over every contract');
    expect(all.summary.periods).toBeGreaterThanOrEqual(1);

    // Published as version 1, exactly as drafted.
    const published = await api(stack, 'POST', `/api/v1/rulesets/${id}/publish`, { note: 'Cycle 2025/26' });
    expect(published).toMatchObject({ status: 201, body: { id, version: 1 } });
    const v1 = await api<{ ruleSet: RuleSet; publishedBy: string; note: string }>(
      stack,
      'GET',
      `/api/v1/rulesets/${id}/versions/1`,
    );
    expect(v1.status).toBe(200);
    expect(v1.body.ruleSet).toEqual({ ...percentDraft(id), version: 1 });
    expect(v1.body).toMatchObject({
      note: 'Cycle 2025/26',
      publishedBy: expect.stringMatching(/^test-admin-/) as unknown,
    });

    // A new contract pins version 1 and is scored by it.
    const scored = await reviewedContract({ id, version: 1 });
    expect(scored.ruleSet).toEqual({ id, version: 1 });
    const review = scored.periods[0]!.review!;
    expect(review).toMatchObject({ score: 79.06, grade: 'Good' });
    expect(review.indicators.find((i) => i.id === 'budget-absorption')!.score).toBe(60);
    expect(review.escalations.map((e) => e.id)).toEqual(['indicator-at-poor']);
    expect(review.escalations[0]!.why).toEqual([
      'some over indicators (8 items) → true',
      '  [budget-absorption] and(true, true) → true',
      '    [budget-absorption] actual (18) != null → true',
      '    [budget-absorption] score (60) <= 60 → true',
    ]);

    // The review document and the escalation email say why, in words.
    const html = await (await fetchDocument(stack, review.documentUrl!)).text();
    expect(html).toContain('Why it fired:');
    expect(visibleText(html)).toContain(
      'The rule: When at least one of the indicators has: the actual is given and the score is at most 60.',
    );
    expect(visibleText(html)).toContain('[budget-absorption] score (60) <= 60 → true');
    const email = await waitForEmail(
      stack,
      (m) => m.subject.startsWith(`${scored.id}: escalation`),
      'escalation email',
    );
    expect(email.text).toContain(
      'The rule: When at least one of the indicators has: the actual is given and the score is at most 60.',
    );
    expect(email.text).toContain('Why it fired:\n  some over indicators (8 items) → true');
    expect(email.text).toContain('[budget-absorption] score (60) <= 60 → true');
  });
});

describe('published versions never change', () => {
  it('publishes a changed draft as version 2 and keeps version 1 as it was', async () => {
    const id = uniqueId('county-v');
    expect((await api(stack, 'POST', '/api/v1/rulesets', percentDraft(id))).status).toBe(201);
    expect((await api(stack, 'POST', `/api/v1/rulesets/${id}/publish`)).body).toMatchObject({ version: 1 });

    // Unchanged since version 1: nothing new to publish.
    const again = await api<Errors>(stack, 'POST', `/api/v1/rulesets/${id}/publish`);
    expect(again.status).toBe(409);
    expect(again.body.errors[0]!.message).toBe(
      'The draft is unchanged since it was published as version 1: change it, then publish.',
    );

    // A published version cannot be saved over.
    const overwrite = await api<Errors>(stack, 'POST', '/api/v1/rulesets', {
      ...percentDraft(id),
      version: 1,
      name: 'Edited',
    });
    expect(overwrite.status).toBe(409);
    expect(overwrite.body.errors).toEqual([
      {
        pointer: '/version',
        message: `Version 1 of '${id}' is published and never changes. Save the draft without a version: publishing it makes version 2.`,
      },
    ]);

    const changed = { ...percentDraft(id), name: 'County percentage criteria, revised bands' };
    changed.scoring.grade = { if: [{ '>=': [{ var: 'composite' }, 95] }, 'Excellent', 'Other'] };
    changed.tests = [];
    expect((await api(stack, 'POST', '/api/v1/rulesets', changed)).status).toBe(201);
    expect((await api(stack, 'POST', `/api/v1/rulesets/${id}/publish`)).body).toMatchObject({ version: 2 });

    const v1 = await api<{ ruleSet: RuleSet }>(stack, 'GET', `/api/v1/rulesets/${id}/versions/1`);
    const v2 = await api<{ ruleSet: RuleSet }>(stack, 'GET', `/api/v1/rulesets/${id}/versions/2`);
    expect(v1.body.ruleSet).toEqual({ ...percentDraft(id), version: 1 });
    expect(v2.body.ruleSet).toEqual({ ...changed, version: 2 });
    expect((await api(stack, 'GET', `/api/v1/rulesets/${id}/versions/3`)).status).toBe(404);

    const listed = await waitFor(async () => {
      const list = await api<{ ruleSets: { id: string; latestVersion: number; versions: number[] }[] }>(
        stack,
        'GET',
        '/api/v1/rulesets',
      );
      return list.body.ruleSets.find((r) => r.id === id);
    }, 'the rule set in the list');
    expect(listed).toMatchObject({ latestVersion: 2, versions: [1, 2] });

    // A contract may pin any published version, and none that is not.
    const unknown = await api<Errors>(
      stack,
      'POST',
      '/api/v1/contracts',
      exampleContract({ id: uniqueId('PC-V9'), ruleSet: { id, version: 9 } }),
    );
    expect(unknown).toEqual({
      status: 400,
      body: {
        errors: [
          { pointer: '/ruleSet', message: `Rule set '${id}' has no published version 9; published: 1, 2` },
        ],
      },
    });
    const pinned = exampleContract({ id: uniqueId('PC-V1'), ruleSet: { id, version: 1 } });
    expect((await api(stack, 'POST', '/api/v1/contracts', pinned)).status).toBe(201);
  });

  it('shows each rule set in words on its page: bands, guards, escalations, the ladder', async () => {
    const page = await fetch(`${stack.urls.app}/rulesets/default`, {
      headers: { authorization: `Bearer ${adminToken(stack)}` },
    });
    expect(page.status).toBe(200);
    const text = visibleText(await page.text());
    for (const sentence of [
      'If the composite is at most 2.4, the grade is Excellent.',
      'Otherwise the grade is Poor.',
      // The default's indicator rule is a criteria table: it reads as its rows.
      'When the actual is not reported, the score is 5.',
      'Otherwise the score runs in a straight line between 5 at the baseline (or the indicator\'s own "poor"), 3 at the target',
      "The terms pass when the sum of the indicator's weight over the indicators rounded to 6 decimals is 100.",
      'When the grade is Fair or Poor.',
      '14 days after the due day; the report counts as late',
      'An approval link works for 14 days',
    ])
      expect(text).toContain(sentence);
    const list = await fetch(`${stack.urls.app}/rulesets`, {
      headers: { authorization: `Bearer ${adminToken(stack)}` },
    });
    expect(visibleText(await list.text())).toContain('Percentage criteria');
    const unknown = await fetch(`${stack.urls.app}/rulesets/no-such-set`, {
      headers: { authorization: `Bearer ${adminToken(stack)}` },
    });
    expect(unknown.status).toBe(404);
  });

  it('refuses concurrent edits of one draft with 412 (ETag and If-Match) rather than losing one', async () => {
    const id = uniqueId('county-lock');
    const send = (method: string, path: string, body?: unknown, ifMatch?: string) =>
      fetch(`${stack.urls.api}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${adminToken(stack)}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(ifMatch ? { 'if-match': ifMatch } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    // A first save from nothing, then two people open revision 1.
    const first = await send('POST', '/rulesets', percentDraft(id), '"draft-0"');
    expect([first.status, first.headers.get('etag')]).toEqual([201, '"draft-1"']);
    const opened = await send('GET', `/rulesets/${id}`);
    const tag = opened.headers.get('etag')!;
    expect(tag).toBe('"draft-1"');
    // The first to save wins; the second, made from revision 1 too, is refused and changes nothing.
    const mine = { ...percentDraft(id), name: 'Tightened bands' };
    const theirs = { ...percentDraft(id), name: 'Loosened bands' };
    expect((await send('POST', '/rulesets', mine, tag)).status).toBe(201);
    const refused = await send('POST', '/rulesets', theirs, tag);
    expect(refused.status).toBe(412);
    const errors = ((await refused.json()) as Errors).errors;
    expect(errors[0]!.message).toMatch(
      /changed since you opened it: it is at revision 2 .*made from revision 1/,
    );
    const now = await api<RuleSetView>(stack, 'GET', `/api/v1/rulesets/${id}`);
    expect([now.body.draft!.revision, now.body.draft!.ruleSet.name]).toEqual([2, 'Tightened bands']);
    // Publishing what one looked at: refused once it changed, accepted with the current tag.
    expect((await send('POST', `/rulesets/${id}/publish`, undefined, tag)).status).toBe(412);
    expect((await send('POST', `/rulesets/${id}/publish`, undefined, 'not-a-tag')).status).toBe(412);
    const published = await send('POST', `/rulesets/${id}/publish`, undefined, '"draft-2"');
    expect(published.status).toBe(201);
    // Without If-Match the last save wins, as for any client that does not lock.
    expect((await send('POST', '/rulesets', theirs)).status).toBe(201);
  });

  it('serves the built-in rule sets as version 1, and their first publication as version 2', async () => {
    const list = await api<{ ruleSets: { id: string; builtIn: boolean; latestVersion: number }[] }>(
      stack,
      'GET',
      '/api/v1/rulesets',
    );
    expect(list.body.ruleSets.filter((r) => r.builtIn).map((r) => r.id)).toEqual([
      'default',
      'percent',
      'threshold',
    ]);
    const threshold = await api<{ builtIn: boolean; ruleSet: RuleSet }>(
      stack,
      'GET',
      '/api/v1/rulesets/threshold/versions/1',
    );
    expect(threshold.body).toMatchObject({ builtIn: true, ruleSet: { id: 'threshold', version: 1 } });
    expect((await api(stack, 'GET', '/api/v1/rulesets/no-such-set')).status).toBe(404);
    // A contract's criteria must be ones its rule set reads.
    const contract = exampleContract({ id: uniqueId('PC-CRIT'), ruleSet: { id: 'threshold', version: 1 } });
    contract.indicators[1] = { ...contract.indicators[1]!, criteria: { redflag: 300 } };
    const refused = await api<Errors>(stack, 'POST', '/api/v1/contracts', contract);
    expect(refused).toEqual({
      status: 400,
      body: {
        errors: [
          {
            pointer: '/indicators/1/criteria/redflag',
            message: "rule set 'threshold' v1 has no criteria value 'redflag'; it reads redFlag, goal",
          },
        ],
      },
    });
  });
});

describe('who may do what', () => {
  it('lets every role read rule sets, and only the performance office write them', async () => {
    const viewer = await issueTestToken(stack, { role: 'viewer', name: uniqueId('viewer') });
    const manager = await issueTestToken(stack, {
      role: 'manager',
      name: uniqueId('manager'),
      email: 'pmo@county.example',
    });
    expect((await api(stack, 'GET', '/api/v1/rulesets', undefined, { token: manager })).status).toBe(200);
    expect(
      (await api(stack, 'GET', '/api/v1/rulesets/default/versions/1', undefined, { token: viewer })).status,
    ).toBe(200);
    const write = await api<Errors>(stack, 'POST', '/api/v1/rulesets', percentDraft(uniqueId('x')), {
      token: viewer,
    });
    expect(write.status).toBe(403);
    expect(
      (await api(stack, 'POST', '/api/v1/rulesets/default/publish', undefined, { token: manager })).status,
    ).toBe(403);
    // A simulation reads every contract's figures: the manager, who sees only theirs, may not run one.
    expect(
      (await api(stack, 'POST', '/api/v1/rulesets/default/simulate', {}, { token: manager })).status,
    ).toBe(403);
  });

  it('refuses a draft that is not a rule set with pointers, and starts nothing', async () => {
    const id = uniqueId('broken');
    const response = await api<Errors>(stack, 'POST', '/api/v1/rulesets', {
      id,
      name: 'x',
      scoring: {},
      escalation: [],
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toContainEqual({
      pointer: '/escalation',
      message: "is not a known field; did you mean 'escalations'?",
    });
    expect(response.body.errors).toContainEqual({ pointer: '/scoring/indicator', message: 'is required' });
    expect((await api(stack, 'GET', `/api/v1/rulesets/${id}`)).status).toBe(404);
  });
});

describe('the rule-set entity', () => {
  it('keeps its draft and versions across continue-as-new', async () => {
    const id = uniqueId('long-lived');
    const handle = await stack.client.workflow.start(RULESET_WORKFLOW, {
      workflowId: ruleSetWorkflowId(id),
      taskQueue: stack.config.taskQueue,
      args: [{ id, historyLimit: 25 }],
    });
    for (let i = 1; i <= 6; i++) {
      const saved = await api(stack, 'POST', '/api/v1/rulesets', {
        ...percentDraft(id),
        description: `save ${i}`,
      });
      expect(saved.status).toBe(201);
      if (i % 3 === 0) expect((await api(stack, 'POST', `/api/v1/rulesets/${id}/publish`)).status).toBe(201);
    }
    const view = await waitFor(async () => {
      const described = await stack.client.workflow.getHandle(ruleSetWorkflowId(id)).describe();
      if (described.runId === handle.firstExecutionRunId) return undefined;
      return (await api<RuleSetView>(stack, 'GET', `/api/v1/rulesets/${id}`)).body;
    }, 'a new run');
    expect(view.draft).toMatchObject({ revision: 6, ruleSet: { description: 'save 6' }, publishedAs: 2 });
    expect(view.versions.map((v) => v.version)).toEqual([1, 2]);
    const v1 = await api<{ ruleSet: RuleSet }>(stack, 'GET', `/api/v1/rulesets/${id}/versions/1`);
    expect(v1.body.ruleSet.description).toBe('save 3');
    await recordHistory(
      stack.client,
      'ruleset-continue-as-new',
      ruleSetWorkflowId(id),
      handle.firstExecutionRunId,
    );
  });
});
