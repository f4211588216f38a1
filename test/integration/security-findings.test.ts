// What an outside attacker found, each as an attack that failed before its fix: documents read
// across contracts, rules that exhaust memory or stall the server, contracts a token can brick,
// and the smaller findings. Each case checks the attack is refused and that everything else still
// answers.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import { PgBlobStore } from '../../store/blobs.js';
import type { ContractInput } from '../../model/contract.js';
import { readFileSync } from 'node:fs';
import { projectRoot } from '../../cli/temporal-binaries.js';
import {
  backdatedPeriod,
  contractState,
  exampleContract,
  settledState,
  signContract,
  uniqueId,
} from '../support/contracts.js';
import { recordHistory } from '../support/histories.js';
import { raw } from '../support/http.js';
import {
  api,
  approvalLink,
  messages,
  openApprovalPage,
  postApproval,
  issueTestToken,
  startTestStack,
  waitFor,
  waitForEmail,
} from '../support/stack.js';

let stack: Stack;
/** Two contracts of two units; each unit's token covers its own only. */
let mine: ContractInput;
let theirs: ContractInput;
/** A signed, back-dated contract with a reviewed Q1: something for simulations to score. */
let scored: ContractInput;
const tokens = {} as Record<'mine' | 'theirs' | 'manager' | 'viewer', string>;

beforeAll(async () => {
  stack = await startTestStack();
  mine = exampleContract({ id: uniqueId('PC-ATK-A') });
  theirs = exampleContract({
    id: uniqueId('PC-ATK-B'),
    unit: { name: `Roads ${uniqueId('u')}`, signatory: { name: 'E. Barasa', email: 'roads@county.example' } },
    managers: [{ name: 'F. Achieng', email: 'roads-pmo@county.example' }],
  });
  for (const contract of [mine, theirs])
    expect((await api(stack, 'POST', '/api/v1/contracts', contract)).status).toBe(201);
  tokens.mine = await issueTestToken(stack, { role: 'unit', name: 'unit a', unit: mine.unit.name });
  tokens.theirs = await issueTestToken(stack, { role: 'unit', name: 'unit b', unit: theirs.unit.name });
  tokens.manager = await issueTestToken(stack, {
    role: 'manager',
    name: 'pmo a',
    email: mine.managers[0]!.email,
  });
  tokens.viewer = await issueTestToken(stack, { role: 'viewer', name: 'auditor' });
  // Documents as the store keeps them, one per contract.
  for (const contract of [mine, theirs]) {
    await new PgBlobStore(stack.database).put(
      `${contract.id}/y1-Q1-review.html`,
      `<!doctype html><p>Q1 review of ${contract.id}</p>`,
      'text/html; charset=utf-8',
    );
  }
  await settledState(stack, mine.id);
  await settledState(stack, theirs.id);
  scored = exampleContract({
    id: uniqueId('PC-ATK-SCORED'),
    period: backdatedPeriod(13),
  });
  await signContract(stack, scored);
  const actuals = Object.fromEntries(scored.indicators.map((i) => [i.id, i.target]));
  expect(
    (await api(stack, 'POST', `/api/v1/contracts/${scored.id}/reports`, { period: 'Q1', actuals })).status,
  ).toBe(200);
  await waitFor(
    async () => ((await contractState(stack, scored.id)).periods[0]!.review ? true : undefined),
    'Q1 reviewed',
  );
});

afterAll(async () => {
  await stack?.stop();
});

/** As from another machine (no page answers without a credential, from here or elsewhere). */
const REMOTE = { host: 'covenant.example' };

const get = (path: string, token: string) =>
  raw(stack, { method: 'GET', path, headers: { ...REMOTE, authorization: `Bearer ${token}` } });

describe('finding 1: documents of another contract through dot segments', () => {
  it('refuses every traversal form, with a unit or a manager token', async () => {
    const a = () => mine.id;
    const b = () => theirs.id;
    const file = 'y1-Q1-review.html';
    const variants = [
      `/documents/${a()}/../${b()}/${file}`,
      `/documents/${a()}/%2e%2e/${b()}/${file}`,
      `/documents/${a()}/%2E%2E/${b()}/${file}`,
      `/documents/${a()}/.%2e/${b()}/${file}`,
      `/documents/${a()}/%2e./${b()}/${file}`,
      `/documents/${a()}/..%2f${b()}/${file}`,
      `/documents/${a()}/..%2F${b()}/${file}`,
      `/documents/${a()}%2f..%2f${b()}/${file}`,
      `/documents/${a()}/./../${b()}/${file}`,
      `/documents/${a()}/x/../../${b()}/${file}`,
      `/documents/${a()}/..%5c${b()}/${file}`,
      `/documents/${a()}/..\\${b()}/${file}`,
      `/documents/${a()}//../${b()}/${file}`,
      `/documents/${a()}/%252e%252e/${b()}/${file}`,
      `/documents/${a()}/..;/${b()}/${file}`,
      `/documents/./${b()}/${file}`,
      `/documents/%2e/${b()}/${file}`,
      `/documents/${a()}/../../documents/${b()}/${file}`,
      `/documents/${a()}/%2e%2e%2f${b()}%2f${file}`,
      `/Documents/${a()}/../${b()}/${file}`,
      `/documents/${a()}/..%00/${b()}/${file}`,
    ];
    expect(variants).toHaveLength(21);
    for (const token of [tokens.mine, tokens.manager]) {
      for (const path of variants) {
        const response = await get(path, token);
        expect([path, response.status >= 400 && response.status < 500]).toEqual([path, true]);
        expect(response.text).not.toContain(`Q1 review of ${theirs.id}`);
      }
    }
    // The straight paths still work as before: in scope 200, out of scope 403.
    expect((await get(`/documents/${mine.id}/${file}`, tokens.mine)).status).toBe(200);
    expect((await get(`/documents/${theirs.id}/${file}`, tokens.mine)).status).toBe(403);
    expect((await get(`/documents/${theirs.id}/${file}`, tokens.theirs)).status).toBe(200);
  });
});

/** The default rule set as a draft of another id, with `change` applied. */
function draftOf(id: string, change: (draft: Record<string, unknown>) => void): Record<string, unknown> {
  const draft = JSON.parse(
    readFileSync(join(projectRoot, 'rules', 'library', 'default.json'), 'utf8'),
  ) as Record<string, unknown>;
  delete draft.version;
  draft.id = id;
  change(draft);
  return draft;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** Half a million elements built by doubling: each step under every size limit. */
const doubling = { reduce: [range(19), { merge: [{ var: 'accumulator' }, { var: 'accumulator' }] }, [1]] };
/** A guard that builds the doubling 5,000 times, and a test case it fails (so its run is traced). */
function explosiveGuard(draft: Record<string, unknown>): void {
  (draft.guards as unknown[]).push({
    id: 'boom',
    scope: 'contract',
    message: 'boom',
    rule: { map: [range(5000), { '!': doubling }] },
  });
  (draft.tests as unknown[]).push({ description: 'boom', slot: 'guards.boom', data: {}, expect: true });
}

/** /healthz while something else runs: how long it took to answer. */
async function healthLatency(): Promise<number> {
  const started = Date.now();
  const response = await fetch(`${stack.urls.app}/healthz`);
  expect(response.status).toBe(200);
  return Date.now() - started;
}

describe('finding 2: one request from a viewer kills the process', () => {
  it('answers a simulate with an exploding guard and a failing test, and everything keeps answering', async () => {
    const draft = draftOf('attack-sim', explosiveGuard);
    const body = JSON.stringify({ draft, contracts: [scored.id] });
    expect(body.length).toBeLessThan(40_000);
    const simulation = api<{
      validation: { valid: boolean; diagnostics: { pointer: string; message: string }[] };
    }>(stack, 'POST', '/api/v1/rulesets/attack-sim/simulate', body, { token: tokens.viewer });
    const latency = await healthLatency();
    const answer = await simulation;
    expect(answer.status).toBe(200);
    expect(answer.body.validation.valid).toBe(false);
    const failure = answer.body.validation.diagnostics.find((d) => d.message.includes('"boom"'))!;
    expect(failure.message).toMatch(/maxWork|maxValueLength/);
    expect(latency).toBeLessThan(1_000);
    // The admin's validate runs the same path.
    const validated = await api<{ valid: boolean }>(stack, 'POST', '/api/v1/rulesets/attack-sim/validate', {
      draft,
    });
    expect(validated.status).toBe(200);
    expect(validated.body.valid).toBe(false);
    expect((await api(stack, 'GET', `/api/v1/contracts/${scored.id}`)).status).toBe(200);
  });
});

describe('finding 3: rules stall the server and the worker', () => {
  it('saves a draft whose tests do heavy work at once, with the failure named, and /healthz answers meanwhile', async () => {
    const draft = draftOf('attack-save', explosiveGuard);
    const saving = api<{ valid: boolean; diagnostics: { message: string }[] }>(
      stack,
      'POST',
      '/api/v1/rulesets',
      draft,
    );
    const latency = await healthLatency();
    const saved = await saving;
    expect(saved.status).toBe(201);
    expect(saved.body.valid).toBe(false);
    expect(saved.body.diagnostics.some((d) => d.message.includes('"boom"'))).toBe(true);
    expect(latency).toBeLessThan(1_000);
    // The entity recorded the result: publishing is refused for the failing test, at once.
    const published = await api<{ errors: { pointer: string }[] }>(
      stack,
      'POST',
      '/api/v1/rulesets/attack-save/publish',
    );
    expect(published.status).toBe(400);
    expect(published.body.errors.some((e) => e.pointer.startsWith('/tests/'))).toBe(true);
    // Corrected and saved again, it publishes: the entity takes the server's validation.
    const corrected = await api<{ valid: boolean }>(
      stack,
      'POST',
      '/api/v1/rulesets',
      draftOf('attack-save', () => {}),
    );
    expect([corrected.status, corrected.body.valid]).toEqual([201, true]);
    expect((await api(stack, 'POST', '/api/v1/rulesets/attack-save/publish')).status).toBe(201);
    await recordHistory(stack.client, 'ruleset-validated-draft', 'ruleset:attack-save');
  });

  it('runs a simulation whose rules do heavy work per period off the event loop', async () => {
    const draft = draftOf('attack-slow', (d) => {
      // Each indicator's score first builds half a million elements 15 times: heavy, under budget.
      const scoring = d.scoring as Record<string, unknown>;
      scoring.indicator = { if: [{ some: [range(15), { '!': doubling }] }, 0, scoring.indicator] };
    });
    const simulation = api(
      stack,
      'POST',
      '/api/v1/rulesets/attack-slow/simulate',
      { draft, contracts: [scored.id] },
      {
        token: tokens.viewer,
      },
    );
    const latency = await healthLatency();
    const answered = await simulation;
    expect(answered.status).toBe(200);
    expect(latency).toBeLessThan(1_000);
    console.log(`simulation with heavy rules: /healthz answered in ${latency} ms meanwhile`);
  });
});

describe("finding 4: simulate's contract list exhausts memory", () => {
  it('reads and simulates a contract named 5,000 times once, and refuses 12,000 names', async () => {
    const named = (n: number) => Array.from({ length: n }, () => scored.id);
    const refused = await api<{ errors: { pointer: string }[] }>(
      stack,
      'POST',
      '/api/v1/rulesets/default/simulate',
      { contracts: named(12_000) },
      { token: tokens.viewer },
    );
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]!.pointer).toBe('/contracts');
    const contracts = named(5_000);
    const answer = await api<{ summary: { contracts: number; periods: number }; page: { total: number } }>(
      stack,
      'POST',
      '/api/v1/rulesets/default/simulate',
      { contracts },
      { token: tokens.viewer },
    );
    expect(answer.status).toBe(200);
    expect(answer.body.summary.contracts).toBe(1);
    expect(answer.body.page.total).toBe(1);
  });

  it('pages the answer and refuses more names than a request may carry', async () => {
    const paged = await api<{ contracts: unknown[]; page: { offset: number; limit: number; total: number } }>(
      stack,
      'POST',
      '/api/v1/rulesets/default/simulate',
      { contracts: [scored.id], offset: 1, limit: 10 },
      { token: tokens.viewer },
    );
    expect(paged.status).toBe(200);
    expect(paged.body.page).toEqual({ offset: 1, limit: 10, total: 1 });
    expect(paged.body.contracts).toEqual([]);
    const tooMany = await api<{ errors: { pointer: string }[] }>(
      stack,
      'POST',
      '/api/v1/rulesets/default/simulate',
      { contracts: Array.from({ length: 5_001 }, (_, i) => `C-${i}`) },
      { token: tokens.viewer },
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0]!.pointer).toBe('/contracts');
  });
});

describe('finding 6: published rule sets that pass validation still break contracts', () => {
  it('refuses to publish a rule that returns null for a missing figure', async () => {
    const draft = draftOf('attack-null', (d) => {
      (d.scoring as Record<string, unknown>).indicator = { var: 'actual' };
    });
    const saved = await api<{ valid: boolean }>(stack, 'POST', '/api/v1/rulesets', draft);
    expect(saved.status).toBe(201);
    expect(saved.body.valid).toBe(false);
    const published = await api<{ errors: { pointer: string; message: string }[] }>(
      stack,
      'POST',
      '/api/v1/rulesets/attack-null/publish',
    );
    expect(published.status).toBe(400);
    expect(published.body.errors[0]).toMatchObject({ pointer: '/scoring/indicator' });
    expect(published.body.errors[0]!.message).toContain('returns null, not a number, when');
  });

  it('reviews a period its rule set cannot score as "Not scored", escalates it, and keeps the contract going', async () => {
    // Passes the probes and the tests (they never meet an indicator named "boom"); fails this contract.
    const draft = draftOf('attack-fragile', (d) => {
      const scoring = d.scoring as Record<string, unknown>;
      scoring.indicator = {
        if: [
          { '==': [{ var: 'id' }, 'boom'] },
          null,
          // A blow-up only this contract meets: forty half-million-element builds, over the work budget.
          { '==': [{ var: 'id' }, 'bang'] },
          { some: [range(40), { '!': doubling }] },
          scoring.indicator,
        ],
      };
    });
    const saved = await api<{ valid: boolean; diagnostics: unknown[] }>(
      stack,
      'POST',
      '/api/v1/rulesets',
      draft,
    );
    expect(saved.status).toBe(201);
    expect(saved.body.diagnostics).toEqual([]);
    const published = await api<{ version: number }>(
      stack,
      'POST',
      '/api/v1/rulesets/attack-fragile/publish',
    );
    expect(published.status).toBe(201);
    const base = exampleContract();
    const fragile = exampleContract({
      id: uniqueId('PC-ATK-FRAGILE'),
      period: backdatedPeriod(13),
      ruleSet: { id: 'attack-fragile', version: published.body.version },
      indicators: [
        ...base.indicators.slice(0, -2),
        { ...base.indicators.at(-2)!, id: 'bang', name: 'Bang' },
        { ...base.indicators.at(-1)!, id: 'boom', name: 'Boom' },
      ],
    });
    await signContract(stack, fragile);
    const partial = { [fragile.indicators[0]!.id]: fragile.indicators[0]!.target, boom: 3, bang: 4 };
    // The figures left out are explained, as a submission must.
    const explained = Object.fromEntries(
      fragile.indicators
        .filter((i) => !Object.hasOwn(partial, i.id))
        .map((i) => [i.id, { explanation: 'Not collected' }]),
    );
    const q1 = await api(stack, 'POST', `/api/v1/contracts/${fragile.id}/reports`, {
      period: 'Q1',
      actuals: partial,
      figures: explained,
    });
    expect(q1.status).toBe(200);
    const review = await waitFor(
      async () => (await contractState(stack, fragile.id)).periods[0]!.review,
      'Q1 review',
    );
    expect(review.grade).toBe('Not scored');
    expect(review.score).toBeNull();
    expect(review.problems).toEqual([
      expect.stringMatching(/^the indicator rule for bang cannot run: more than 20000000 units of work/),
      'the indicator rule for boom returned null, not a number',
    ]);
    // Every other contract kept answering meanwhile.
    expect((await api(stack, 'GET', `/api/v1/contracts/${scored.id}`)).status).toBe(200);
    const escalation = await waitForEmail(
      stack,
      (m) =>
        m.subject.startsWith(`${fragile.id}: escalation (high), Q1`) &&
        m.text.includes('could not score this review'),
      'the rule-error escalation',
    );
    expect(escalation.to).toEqual(fragile.managers.map((m) => m.email));
    // The contract keeps answering and taking reports.
    const q2 = await api(stack, 'POST', `/api/v1/contracts/${fragile.id}/reports`, {
      period: 'Q2',
      actuals: partial,
      figures: explained,
    });
    expect(q2.status).toBe(200);
    await waitFor(
      async () => ((await contractState(stack, fragile.id)).periods[1]!.review ? true : undefined),
      'Q2 review',
    );
    await settledState(stack, fragile.id);
    await recordHistory(stack.client, 'not-scored-review', fragile.id);
  });
});

describe('finding 7: indicator ids named like Object.prototype members', () => {
  it('refuses them in contracts, revisions and rule sets, with the pointer', async () => {
    for (const id of ['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty']) {
      const contract = exampleContract({ id: uniqueId('PC-ATK-PROTO') });
      contract.indicators[1] = { ...contract.indicators[1]!, id };
      const created = await api<{ errors: { pointer: string; message: string }[] }>(
        stack,
        'POST',
        '/api/v1/contracts',
        contract,
      );
      expect([id, created.status]).toEqual([id, 400]);
      expect(created.body.errors[0]).toMatchObject({ pointer: '/indicators/1/id' });
      expect(created.body.errors[0]!.message).toContain('every JavaScript object has');
    }
    const revision = await api<{ errors: { pointer: string }[] }>(
      stack,
      'POST',
      `/api/v1/contracts/${mine.id}/revisions`,
      {
        proposedBy: 'principal',
        indicators: [{ ...mine.indicators[0]!, id: 'toString' }, ...mine.indicators.slice(1)],
      },
    );
    expect(revision.status).toBe(400);
    expect(revision.body.errors[0]!.pointer).toBe('/indicators/0/id');
    const ruleSet = await api<{ errors: { pointer: string }[] }>(
      stack,
      'POST',
      '/api/v1/rulesets',
      draftOf('attack-proto', (d) => {
        (d.scoring as Record<string, unknown>).criteria = { valueOf: 'the value of' };
      }),
    );
    expect(ruleSet.status).toBe(400);
    expect(ruleSet.body.errors.map((e) => e.pointer)).toContain('/scoring/criteria/valueOf');
  });
});

describe('finding 8: resend flood', () => {
  it('sends one fresh link, then answers 429 with the time of the next allowed resend', async () => {
    const state = await contractState(stack, theirs.id);
    const approval = state.pendingApprovals[0]!;
    const before = (await messages(stack)).filter((m) => m.to.includes(approval.approver.email)).length;
    const path = `/api/v1/contracts/${theirs.id}/approvals/${approval.id}/resend`;
    const answers = [];
    for (let i = 0; i < 10; i++)
      answers.push(
        await raw(stack, { method: 'POST', path, headers: { authorization: `Bearer ${tokens.theirs}` } }),
      );
    expect(answers.map((a) => a.status)).toEqual([202, ...Array<number>(9).fill(429)]);
    const refused = answers[1]!;
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(500);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(600);
    expect(JSON.stringify(refused.json)).toMatch(/the next can be sent at \d{4}-\d{2}-\d{2}T/);
    await waitFor(
      async () =>
        (await messages(stack)).filter((m) => m.to.includes(approval.approver.email)).length === before + 1
          ? true
          : undefined,
      'the one fresh link',
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await messages(stack)).filter((m) => m.to.includes(approval.approver.email))).toHaveLength(
      before + 1,
    );
  });
});

describe("finding 11: a decision handed to the other party's signatory", () => {
  it("refuses the other party's signatory, people and delegates as delegate, and changes nothing", async () => {
    const state = await contractState(stack, mine.id);
    const agree = await waitForEmail(
      stack,
      (m) => m.subject === `${mine.id}: please agree to revision 1`,
      'agree',
    );
    const link = approvalLink(agree);
    for (const other of [mine.principal.signatory, mine.managers[0]!]) {
      const page = await openApprovalPage(link);
      const answer = await postApproval(
        `${link}/delegate`,
        { delegateName: other.name, delegateEmail: other.email, csrf: page.csrf! },
        page.cookie,
      );
      expect([other.email, answer.status]).toEqual([other.email, 400]);
      expect(answer.html).toContain('acts for the principal on this contract');
    }
    const after = await contractState(stack, mine.id);
    expect(after.pendingApprovals).toEqual(state.pendingApprovals);
    expect(after.log.filter((l) => l.event === 'delegated')).toEqual([]);
  });

  it("does not show units the client address and user agent of the other side's decisions", async () => {
    const contract = await api<{ decisions: Record<string, unknown>[] }>(
      stack,
      'GET',
      `/api/v1/contracts/${scored.id}`,
      undefined,
      {
        token: await issueTestToken(stack, { role: 'unit', name: 'scored unit', unit: scored.unit.name }),
      },
    );
    expect(contract.status).toBe(200);
    expect(contract.body.decisions.length).toBeGreaterThan(0);
    for (const d of contract.body.decisions) expect(Object.keys(d)).not.toContain('clientIp');
    const asAdmin = await api<{ decisions: Record<string, unknown>[] }>(
      stack,
      'GET',
      `/api/v1/contracts/${scored.id}`,
    );
    expect(asAdmin.body.decisions.some((d) => 'clientIp' in d)).toBe(true);
  });
});

describe('finding 10: errors that were 500', () => {
  it('answers a draft nested too deep to walk with 400', async () => {
    // Written out by hand: JSON.stringify itself cannot nest this deep.
    const deep = `${'['.repeat(20_000)}1${']'.repeat(20_000)}`;
    const body = JSON.stringify(draftOf('attack-deep', () => {})).replace(/^\{/, `{"notes":${deep},`);
    const answer = await api<{ errors: { message: string }[] }>(stack, 'POST', '/api/v1/rulesets', body);
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0]!.message).toContain('nested deeper than');
    const validate = await api(
      stack,
      'POST',
      '/api/v1/rulesets/default/validate',
      JSON.stringify({ draft: deep }),
    );
    expect(validate.status).toBe(400);
  });
});
