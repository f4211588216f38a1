// The walking skeleton end to end: real Temporal dev server, real SMTP catcher, real HTTP.
import { WorkflowNotFoundError } from '@temporalio/common';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import {
  api,
  approvalLink,
  decide,
  messages,
  waitFor,
  waitForEmail,
  fetchDocument,
} from '../support/stack.js';
import { startTestStack } from '../support/stack.js';
import {
  contractState,
  exampleContract,
  settledState,
  signContract,
  uniqueId,
  waitForStage,
} from '../support/contracts.js';
import type { ContractState } from '../../model/state.js';
import { OFFICE, sessionCookie } from '../support/sessions.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

describe('a contract from negotiation to its first review', () => {
  it('takes the example contract through agreement, vetting and signing by emailed links', async () => {
    const contract = exampleContract({ id: uniqueId('PC-EX') });
    const created = await api(stack, 'POST', '/api/v1/contracts', contract);
    expect(created).toEqual({ status: 201, body: { id: contract.id, stage: 'negotiation' } });

    const agree = await waitForEmail(
      stack,
      (m) => m.subject === `${contract.id}: please agree to revision 1`,
      'agree',
    );
    expect(agree.to).toEqual([contract.unit.signatory.email]);
    expect(agree.html).toContain('Fully immunised children under 1');
    expect((await decide(approvalLink(agree), 'approve', 'Agreed at the second round')).status).toBe(200);

    const signing = await waitForStage(stack, contract.id, 'signing');
    expect(signing.vetting).toMatchObject({ revision: 1, passed: true, failures: [] });
    expect(signing.pendingApprovals.map((a) => a.role).sort()).toEqual(['principal', 'unit']);

    for (const who of [contract.unit.signatory.email, contract.principal.signatory.email]) {
      const sign = await waitForEmail(
        stack,
        (m) => m.subject.includes('please sign') && m.subject.startsWith(contract.id) && m.to.includes(who),
        who,
      );
      expect((await decide(approvalLink(sign), 'approve')).status).toBe(200);
    }
    const active = await waitForStage(stack, contract.id, 'active');
    expect(active.decisions.map((d) => `${d.kind}:${d.role}:${d.decision}`)).toEqual([
      'agree:unit:approve',
      'sign:unit:approve',
      'sign:principal:approve',
    ]);
    expect(active.decisions[0]!.comment).toBe('Agreed at the second round');
    // FY 2027/28 lies ahead: four quarters, each due 15 days after it ends.
    expect(active.periods.map((p) => [p.id, p.start, p.end, p.due])).toEqual([
      ['Q1', '2027-07-01', '2027-09-30', '2027-10-15'],
      ['Q2', '2027-10-01', '2027-12-31', '2028-01-15'],
      ['Q3', '2028-01-01', '2028-03-31', '2028-04-15'],
      ['Q4', '2028-04-01', '2028-06-30', '2028-07-15'],
    ]);
    const early = await api(stack, 'POST', `/api/v1/contracts/${contract.id}/reports`, {
      period: 'Q1',
      actuals: { immunisation: 80 },
    });
    expect(early.status).toBe(409);
  });

  it('asks at once for the reports of quarters that ended before the signing, then reviews a report', async () => {
    const contract = exampleContract({
      id: uniqueId('PC-BACK'),
      period: { start: '2025-10-01', end: '2026-09-30', reporting: 'quarterly', reportDueDays: 15 },
    });
    const active = await signContract(stack, contract);
    const signedOn = active.signedAt!.slice(0, 10);
    // Every quarter is over: all are due 15 days after the signing, nobody is late for the past.
    expect(active.periods.map((p) => p.id)).toEqual(['Q1', 'Q2', 'Q3', 'Q4']);
    const dueDay = new Date(Date.parse(signedOn) + 15 * 86_400_000).toISOString().slice(0, 10);
    expect(new Set(active.periods.map((p) => p.due))).toEqual(new Set([dueDay]));
    const request = await waitForEmail(
      stack,
      (m) => m.subject.startsWith(`${contract.id}: reports requested`),
      'request',
    );
    expect(request.subject).toBe(`${contract.id}: reports requested for Q1, Q2, Q3, Q4`);
    expect(request.to).toEqual([contract.unit.signatory.email]);

    const report = {
      period: 'Q1',
      actuals: {
        immunisation: 83,
        'maternal-deaths': 292,
        'skilled-births': 70,
        'drug-stockouts': 11,
        'outpatient-wait': 80,
        'tb-treatment-success': 87,
        'budget-absorption': 18,
        'pending-bills': 230,
      },
    };
    expect(await api(stack, 'POST', `/api/v1/contracts/${contract.id}/reports`, report)).toEqual({
      status: 200,
      body: { period: 'Q1', late: false },
    });
    const reviewed = await waitFor(async () => {
      const state = await contractState(stack, contract.id);
      return state.periods[0]?.review?.documentUrl ? state : undefined;
    }, 'Q1 review');
    const review = reviewed.periods[0]!.review!;
    // Worked by hand from the default rule set: e.g. immunisation 83 lies 5/7 of the way from 78 to 85.
    expect(review.indicators.find((i) => i.id === 'immunisation')!.score).toBe(3.57);
    expect(review.indicators.find((i) => i.id === 'drug-stockouts')!.score).toBe(2.17);
    expect(review.indicators.find((i) => i.id === 'budget-absorption')!.score).toBe(5);
    expect(review.score).toBe(3.68);
    expect(review.grade).toBe('Fair');
    expect(review.escalations.map((e) => e.id)).toEqual(['fair-or-poor']);

    const document = await fetchDocument(stack, review.documentUrl!);
    expect(document.status).toBe(200);
    const html = await document.text();
    expect(html).toContain('Composite score <strong>3.68</strong>');
    expect(html).toContain('Maternal deaths per 100,000 live births');

    const published = await waitForEmail(
      stack,
      (m) => m.subject === `${contract.id}: Q1 review, Fair (3.68)`,
      'review email',
    );
    expect(published.to.sort()).toEqual(
      [
        contract.unit.signatory.email,
        contract.principal.signatory.email,
        ...contract.managers.map((m) => m.email),
      ].sort(),
    );
    expect(published.text).toContain(review.documentUrl);
    const escalation = await waitForEmail(
      stack,
      (m) => m.subject.startsWith(`${contract.id}: escalation`),
      'escalation',
    );
    expect(escalation.to.sort()).toEqual(contract.managers.map((m) => m.email).sort());

    const again = await api(stack, 'POST', `/api/v1/contracts/${contract.id}/reports`, report);
    expect(again.status).toBe(409);

    // Lists and dashboards read the search attributes the workflow keeps up to date.
    type Listed = {
      id: string;
      stage: string;
      period: string;
      score: number;
      grade: string;
      nextDue: string;
      late: boolean;
      year: number;
    };
    const listed = await waitFor(async () => {
      const list = await api<{ contracts: Listed[] }>(
        stack,
        'GET',
        `/api/v1/contracts?stage=active&grade=Fair&late=false`,
      );
      return list.body.contracts.find((c) => c.id === contract.id && c.score === 3.68);
    }, 'the reviewed contract in the list');
    expect(listed).toMatchObject({ stage: 'active', grade: 'Fair', late: false, year: 1, period: 'Q2' });
    expect(listed.nextDue.slice(0, 10)).toBe(
      new Date(Date.parse(dueDay) + 86_400_000).toISOString().slice(0, 10),
    );
    const poor = await api<{ contracts: Listed[] }>(stack, 'GET', `/api/v1/contracts?grade=Poor`);
    expect(poor.body.contracts.map((c) => c.id)).not.toContain(contract.id);
  });

  it('refuses a report with unknown indicators or values with a pointer, and changes nothing', async () => {
    const contract = exampleContract({
      id: uniqueId('PC-BAD'),
      period: { start: '2025-10-01', end: '2026-09-30', reporting: 'quarterly', reportDueDays: 15 },
    });
    await signContract(stack, contract);
    const unknown = await api(stack, 'POST', `/api/v1/contracts/${contract.id}/reports`, {
      period: 'Q2',
      actuals: { vaccines: 3 },
    });
    expect(unknown).toEqual({
      status: 400,
      body: { errors: [{ pointer: '/actuals/vaccines', message: "Unknown indicator 'vaccines'." }] },
    });
    const text = await api(stack, 'POST', `/api/v1/contracts/${contract.id}/reports`, {
      period: 'Q2',
      actuals: { immunisation: 'high' },
    });
    expect(text.status).toBe(400);
    expect(text.body).toEqual({
      errors: [{ pointer: '/actuals/immunisation', message: 'must be number,null' }],
    });
    const period = await api(stack, 'POST', `/api/v1/contracts/${contract.id}/reports`, {
      period: 'Q9',
      actuals: { immunisation: 1 },
    });
    expect(period.status).toBe(400);
    expect((period.body as { errors: { pointer: string }[] }).errors[0]!.pointer).toBe('/period');
    const state = await contractState(stack, contract.id);
    expect(state.periods.every((p) => !p.report && !p.review)).toBe(true);
  });
});

describe('bad input changes nothing', () => {
  it('answers an invalid contract with 400 and JSON pointers, and starts no workflow', async () => {
    const contract = exampleContract({ id: uniqueId('PC-INVALID') }) as unknown as Record<string, unknown>;
    const indicators = structuredClone(contract.indicators) as Record<string, unknown>[];
    indicators[2]!.weight = 'ten';
    indicators[3]!.id = indicators[0]!.id;
    delete indicators[1]!.direction;
    const response = await api<{ errors: { pointer: string; message: string }[] }>(
      stack,
      'POST',
      '/api/v1/contracts',
      {
        ...contract,
        indicators,
        period: { start: '2027-07-01', end: '2027-13-45', reporting: 'monthly', reportDueDays: 15 },
        colour: 'blue',
      },
    );
    expect(response.status).toBe(400);
    const pointers = response.body.errors.map((e) => e.pointer).sort();
    expect(pointers).toEqual([
      '/colour',
      '/indicators/1/direction',
      '/indicators/2/weight',
      '/indicators/3/id',
      '/period/end',
      '/period/reporting',
    ]);
    await expect(stack.client.workflow.getHandle(String(contract.id)).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );

    expect(response.body.errors).toContainEqual({
      pointer: '/indicators/3/id',
      message: "duplicates indicator id 'immunisation'",
    });
    expect((await api(stack, 'POST', '/api/v1/contracts', '{"id": ')).status).toBe(400);
  });

  it('refuses a second contract with the same id (409) and keeps the first', async () => {
    const contract = exampleContract({ id: uniqueId('PC-DUP') });
    expect((await api(stack, 'POST', '/api/v1/contracts', contract)).status).toBe(201);
    const second = await api(stack, 'POST', '/api/v1/contracts', { ...contract, title: 'Another title' });
    expect(second).toEqual({
      status: 409,
      body: { errors: [{ pointer: '/id', message: 'A contract with this id exists already' }] },
    });
    expect((await contractState(stack, contract.id)).title).toBe(contract.title);
  });

  it('changes nothing when an approval link is opened (GET), and refuses a link used twice', async () => {
    const contract = exampleContract({ id: uniqueId('PC-LINK') });
    await api(stack, 'POST', '/api/v1/contracts', contract);
    const agree = await waitForEmail(
      stack,
      (m) => m.subject.startsWith(`${contract.id}: please agree`),
      'agree',
    );
    const link = approvalLink(agree);
    const before = await settledState(stack, contract.id);
    for (let i = 0; i < 3; i++) {
      const page = await fetch(link);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('name="decision" value="approve"');
      expect(html).toContain('name="decision" value="reject"');
      expect(html).toContain('name="comment"');
    }
    expect(await contractState(stack, contract.id)).toEqual(before);

    expect((await decide(link, 'approve')).status).toBe(200);
    await waitForStage(stack, contract.id, 'signing');
    const after = await settledState(stack, contract.id);
    const reused = await decide(link, 'reject');
    expect(reused.status).toBe(409);
    expect(reused.html).toContain('This decision was already taken: approve by B. Wanjiru');
    expect(await contractState(stack, contract.id)).toEqual(after);

    const altered = await fetch(link.slice(0, -3) + (link.endsWith('A') ? 'BBB' : 'AAA'));
    expect(altered.status).toBe(400);
    expect(await altered.text()).toContain('not issued by this Covenant server');
    const truncated = await fetch(link.split('.')[0]!);
    expect(truncated.status).toBe(400);
    expect(await contractState(stack, contract.id)).toEqual(after);
  });
});

describe('negotiation', () => {
  it('refuses at creation terms vetting would refuse; a revision agreed in negotiation that fails vetting goes back with every reason, emailed, until a corrected one passes', async () => {
    const base = exampleContract({ id: uniqueId('PC-VET') });
    const indicators = base.indicators.map((i) => ({ ...i }));
    indicators[0]!.weight = 25; // weights now sum to 105
    indicators[1]!.target = 330; // lower is better, yet the target is worse than the 310 baseline
    // Created with such terms: refused at once, every reason at its pointer, and nothing started.
    const refused = await api<{ errors: { pointer: string; message: string }[] }>(
      stack,
      'POST',
      '/api/v1/contracts',
      { ...base, indicators },
    );
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e) => [e.pointer, e.message.split(':')[0]])).toEqual([
      ['/indicators', '[weights-sum-100] Indicator weights must sum to 100.'],
      ['/indicators/1', '[growth-oriented] maternal-deaths'],
    ]);
    expect((await api(stack, 'GET', `/api/v1/contracts/${base.id}`)).status).toBe(404);

    // Sound terms, then a revision in negotiation that fails vetting once agreed.
    expect((await api(stack, 'POST', '/api/v1/contracts', base)).status).toBe(201);
    await waitForEmail(stack, (m) => m.subject === `${base.id}: please agree to revision 1`, 'agree r1');
    expect(
      await api(stack, 'POST', `/api/v1/contracts/${base.id}/revisions`, {
        proposedBy: 'unit',
        indicators,
        note: 'More weight on immunisation',
      }),
    ).toEqual({ status: 201, body: { revision: 2 } });
    await decide(
      approvalLink(
        await waitForEmail(stack, (m) => m.subject === `${base.id}: please agree to revision 2`, 'agree r2'),
      ),
      'approve',
    );
    const failed = await waitForEmail(
      stack,
      (m) => m.subject === `${base.id}: revision 2 did not pass vetting`,
      'vetting email',
    );
    expect(failed.text).toContain('[weights-sum-100] Indicator weights must sum to 100.');
    expect(failed.text).toContain(
      '[growth-oriented] maternal-deaths: The target must be better than the baseline',
    );
    const state: ContractState = await contractState(stack, base.id);
    expect(state.stage).toBe('negotiation');
    expect(state.vetting!.failures.map((f) => [f.guard, f.pointer])).toEqual([
      ['weights-sum-100', '/indicators'],
      ['growth-oriented', '/indicators/1'],
    ]);
    expect(state.revisions[1]!.status).toBe('failed-vetting');

    const proposal = await api(stack, 'POST', `/api/v1/contracts/${base.id}/revisions`, {
      proposedBy: 'unit',
      indicators: base.indicators,
      note: 'Weights and the maternal-deaths target corrected',
    });
    expect(proposal).toEqual({ status: 201, body: { revision: 3 } });
    const agree3 = await waitForEmail(
      stack,
      (m) => m.subject === `${base.id}: please agree to revision 3`,
      'agree r3',
    );
    expect(agree3.to).toEqual([base.principal.signatory.email]);
    await decide(approvalLink(agree3), 'approve');
    const signing = await waitForStage(stack, base.id, 'signing');
    expect(signing.vetting).toMatchObject({ revision: 3, passed: true });
    const signRequests = await waitFor(async () => {
      const found = (await messages(stack)).filter((m) => m.subject === `${base.id}: please sign revision 3`);
      return found.length === 2 ? found : undefined;
    }, 'two signing requests for revision 3');
    expect(signRequests.flatMap((m) => m.to).sort()).toEqual(
      [base.principal.signatory.email, base.unit.signatory.email].sort(),
    );
  });

  it('serves the web UI pages for the list, a contract and the outbox', async () => {
    const contract = exampleContract({ id: uniqueId('PC-UI') });
    await api(stack, 'POST', '/api/v1/contracts', contract);
    await waitForEmail(stack, (m) => m.subject.startsWith(`${contract.id}: please agree`), 'agree');
    const list = await api<{ contracts: { id: string; stage: string; unit: string }[] }>(
      stack,
      'GET',
      `/api/v1/contracts?stage=negotiation&unit=${encodeURIComponent(contract.unit.name)}`,
    );
    const listed = await waitFor(async () => {
      const l = await api<{ contracts: { id: string; stage: string; unit: string }[] }>(
        stack,
        'GET',
        '/api/v1/contracts?stage=negotiation',
      );
      return l.body.contracts.find((c) => c.id === contract.id);
    }, 'contract in the list');
    expect(list.status).toBe(200);
    expect(listed).toMatchObject({ stage: 'negotiation', unit: contract.unit.name, title: contract.title });
    expect((await api(stack, 'GET', '/api/v1/contracts?stage=dancing')).status).toBe(400);
    const headers = { cookie: await sessionCookie(stack, OFFICE) };
    const page = await fetch(`${stack.urls.app}/contracts/${contract.id}`, { headers });
    expect(await page.text()).toContain(contract.title);
    const outbox = await fetch(`${stack.urls.app}/outbox`, { headers });
    expect(await outbox.text()).toContain(`${contract.id}: please agree to revision 1`);
    expect(existsSync(stack.config.dataDir)).toBe(true);
  });
});
