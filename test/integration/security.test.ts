// The attack suite, against a real server, the run's Temporal dev server and the SMTP catcher:
// forged, stale and replayed approval links, posts without the page's CSRF token, callers without
// the right token or outside their contracts, hostile bodies. Each refusal is checked twice: the
// answer, and the contract's state and audit record unchanged (read through the admin API).
import { WorkflowNotFoundError } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import { PgBlobStore } from '../../store/blobs.js';
import type { ContractInput } from '../../model/contract.js';
import { signApprovalToken, verifyApprovalToken, type ApprovalClaims } from '../../model/approval-token.js';
import { signDocumentUrl } from '../../model/document-token.js';
import type { ContractState } from '../../model/state.js';
import { PERMISSIONS, type Permission } from '../../server/auth/permissions.js';
import type { Role } from '../../server/auth/principal.js';
import { ApprovalCsrf } from '../../server/csrf.js';
import { exampleContract, settledState, uniqueId, waitForStage } from '../support/contracts.js';
import { raw, type RawResponse } from '../support/http.js';
import {
  adminToken,
  api,
  approvalLink,
  decide,
  issueTestToken,
  messages,
  openApprovalPage,
  postApproval,
  startTestStack,
  waitFor,
  waitForEmail,
} from '../support/stack.js';

/** Callers by what they hold; "other" ones are bound to a unit or manager of another contract. */
type Caller = 'admin' | 'viewer' | 'manager' | 'otherManager' | 'unit' | 'unitByEmail' | 'otherUnit';
const ROLE_OF: Record<Caller, Role> = {
  admin: 'admin',
  viewer: 'viewer',
  manager: 'manager',
  otherManager: 'manager',
  unit: 'unit',
  unitByEmail: 'unit',
  otherUnit: 'unit',
};
/** A caller from another machine, by the name a deployment would use. */
const REMOTE = { host: 'covenant.example' };
const OTHER_SECRET = 'another-server-key-of-at-least-thirty-two-chars';

let stack: Stack;
const tokens = {} as Record<Caller, string>;
let revoked: string;
/** Contract the route matrix aims at: the health unit's, never decided. */
let target: ContractInput;
/** Another unit's contract, with other managers. */
let roads: ContractInput;
let targetLink: string;
let roadsLink: string;
let documentPath: string;
/** A portfolio review's document, published by the role test. */
let portfolioDocument = '/documents/_portfolio/none.html';

beforeAll(async () => {
  stack = await startTestStack();
  target = exampleContract({ id: uniqueId('PC-SEC') });
  roads = exampleContract({
    id: uniqueId('PC-SEC-ROADS'),
    unit: {
      name: `Department of Roads ${uniqueId('r')}`,
      signatory: { name: 'E. Barasa', email: 'roads@county.example' },
    },
    managers: [{ name: 'F. Achieng', email: 'roads-pmo@county.example' }],
  });
  tokens.admin = adminToken(stack);
  tokens.viewer = await issueTestToken(stack, { role: 'viewer', name: 'auditor' });
  tokens.manager = await issueTestToken(stack, { role: 'manager', name: 'pmo', email: 'PMO@county.example' });
  tokens.otherManager = await issueTestToken(stack, {
    role: 'manager',
    name: 'roads pmo',
    email: 'roads-pmo@county.example',
  });
  tokens.unit = await issueTestToken(stack, { role: 'unit', name: 'health', unit: target.unit.name });
  tokens.unitByEmail = await issueTestToken(stack, {
    role: 'unit',
    name: 'health signatory',
    email: target.unit.signatory.email,
  });
  tokens.otherUnit = await issueTestToken(stack, { role: 'unit', name: 'roads', unit: roads.unit.name });
  revoked = await issueTestToken(stack, { role: 'admin', name: 'former admin' });
  await stack.tokens.revoke('former admin', new Date().toISOString());

  for (const contract of [target, roads]) {
    expect((await api(stack, 'POST', '/api/v1/contracts', contract)).status).toBe(201);
  }
  targetLink = approvalLink(await agreementRequest(target));
  roadsLink = approvalLink(await agreementRequest(roads));
  // A review document as the document store keeps it, to aim at /documents.
  documentPath = `/documents/${target.id}/y1-Q1-review.html`;
  await new PgBlobStore(stack.database).put(
    documentPath.slice('/documents/'.length),
    '<!doctype html><p>Q1 review</p>',
    'text/html; charset=utf-8',
  );
  await settledState(stack, target.id);
  await settledState(stack, roads.id);
});

afterAll(async () => {
  await stack?.stop();
});

describe('approval links', () => {
  it('refuses altered, truncated, foreign, expired and misdirected links, on GET and POST, and changes nothing', async () => {
    const before = await snapshot(target.id);
    const claims = claimsOf(targetLink);
    const base = targetLink.slice(0, targetLink.lastIndexOf('/') + 1);
    const signature = targetLink.split('.')[1]!;
    const cases: { name: string; link: string; status: number; says: string }[] = [
      {
        name: 'altered signature',
        link: targetLink.slice(0, -3) + (signature.endsWith('AAA') ? 'BBB' : 'AAA'),
        status: 400,
        says: 'not issued by this Covenant server',
      },
      {
        name: 'claims of another approval under this signature',
        link:
          base +
          signApprovalToken({ ...claims, approvalId: 'y1-r1-agree-principal' }, stack.linkSecret).split(
            '.',
          )[0] +
          '.' +
          signature,
        status: 400,
        says: 'not issued by this Covenant server',
      },
      {
        name: 'signature cut short',
        link: targetLink.slice(0, -10),
        status: 400,
        says: 'not issued by this Covenant server',
      },
      {
        name: 'signature cut off',
        link: targetLink.split('.')[0]!,
        status: 400,
        says: 'incomplete or altered',
      },
      {
        name: 'signed by another server key',
        link: base + signApprovalToken(claims, OTHER_SECRET),
        status: 400,
        says: 'the server key has changed',
      },
      {
        name: 'expired',
        link: resign(claims, { expiresAt: Date.now() - 1000 }),
        status: 410,
        says: 'This link has expired',
      },
      {
        name: 'issued to someone else',
        link: resign(claims, { approver: 'mallory@evil.example' }),
        status: 409,
        says: 'issued to someone else',
      },
      {
        name: 'for a contract that does not exist',
        link: resign(claims, { contractId: 'PC-NOWHERE' }),
        status: 404,
        says: 'does not exist',
      },
    ];
    for (const attack of cases) {
      const page = await fetch(attack.link);
      expect([attack.name, page.status]).toEqual([attack.name, attack.status]);
      expect(await page.text()).toContain(attack.says);
      const posted = await postApproval(attack.link, { decision: 'approve' });
      expect([attack.name, posted.status]).toEqual([attack.name, attack.status]);
      expect(posted.html).toContain(attack.says);
    }
    await expectUnchanged(target.id, before);
  });

  it('lets a mail scanner open a link as often as it likes, and changes nothing', async () => {
    const before = await snapshot(target.id);
    for (let i = 0; i < 20; i++) {
      const page = await fetch(targetLink, { headers: { 'user-agent': 'SafeLinks-Scanner/1.0' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('name="decision" value="approve"');
    }
    for (let i = 0; i < 5; i++) expect((await fetch(targetLink, { method: 'HEAD' })).status).toBe(200);
    await expectUnchanged(target.id, before);
  });

  it("refuses a POST without the page's CSRF token, or with another page's, and records nothing", async () => {
    const before = await snapshot(target.id);
    const page = await openApprovalPage(targetLink);
    const other = await openApprovalPage(roadsLink);
    expect(page.cookie && page.csrf && other.cookie && other.csrf).toBeTruthy();
    const nonce = page.cookie!.split('=')[1]!;
    const token = targetLink.split('/approvals/')[1]!;
    const expired = new ApprovalCsrf(stack.linkSecret).field(token, nonce, Date.now() - 1000);
    const forged = page.csrf!.slice(0, -4) + (page.csrf!.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const cases: { name: string; csrf?: string; cookie?: string; says: string }[] = [
      { name: 'neither cookie nor field', says: 'did not come from the decision page' },
      { name: 'field without its cookie', csrf: page.csrf!, says: 'did not come from the decision page' },
      { name: 'cookie without the field', cookie: page.cookie!, says: 'did not come from the decision page' },
      {
        name: "another link's page",
        csrf: other.csrf!,
        cookie: other.cookie!,
        says: 'not issued for this link',
      },
      {
        name: "this page's field, another page's cookie",
        csrf: page.csrf!,
        cookie: other.cookie!,
        says: 'not issued for this link',
      },
      { name: 'altered field', csrf: forged, cookie: page.cookie!, says: 'not issued for this link' },
      { name: 'field older than two hours', csrf: expired, cookie: page.cookie!, says: 'open too long' },
    ];
    for (const attack of cases) {
      const fields = {
        decision: 'approve',
        comment: attack.name,
        ...(attack.csrf ? { csrf: attack.csrf } : {}),
      };
      const posted = await postApproval(targetLink, fields, attack.cookie);
      expect([attack.name, posted.status]).toEqual([attack.name, 403]);
      expect(posted.html).toContain('Nothing was recorded');
      expect(posted.html).toContain(attack.says);
      const delegated = await postApproval(
        `${targetLink}/delegate`,
        {
          delegateName: 'M. Allory',
          delegateEmail: 'mallory@evil.example',
          ...(attack.csrf ? { csrf: attack.csrf } : {}),
        },
        attack.cookie,
      );
      expect([attack.name, 'delegate', delegated.status]).toEqual([attack.name, 'delegate', 403]);
    }
    const unknownField = await postApproval(
      targetLink,
      { decision: 'approve', csrf: page.csrf!, approver: 'someone@else.example' },
      page.cookie,
    );
    expect(unknownField.status).toBe(400);
    expect(unknownField.html).toContain('approver is not a known field');
    const noDecision = await postApproval(
      targetLink,
      { csrf: page.csrf!, comment: 'Enter pressed' },
      page.cookie,
    );
    expect(noDecision.status).toBe(400);
    expect(noDecision.html).toContain('Press Approve or Reject');
    await expectUnchanged(target.id, before);
  });

  it('sets the CSRF cookie HttpOnly, SameSite=Strict, for this one link, and keeps the page out of caches', async () => {
    const response = await fetch(roadsLink);
    const cookie = response.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/^covenant_csrf=[A-Za-z0-9_-]{22};/);
    expect(cookie).toContain(`Path=${new URL(roadsLink).pathname}`);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("script-src 'none'");
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    expect(await response.text()).toContain(`<style nonce="${nonce}">`);
  });

  it('takes a decision once, from its page, and refuses the same form posted again', async () => {
    const contract = exampleContract({ id: uniqueId('PC-SEC-ONCE') });
    await api(stack, 'POST', '/api/v1/contracts', contract);
    const link = approvalLink(await agreementRequest(contract));
    const page = await openApprovalPage(link);
    const form = { decision: 'approve', comment: 'agreed', csrf: page.csrf! };
    expect((await postApproval(link, form, page.cookie)).status).toBe(200);
    await waitForStage(stack, contract.id, 'signing');
    const before = await settled(contract.id);
    for (const decision of ['approve', 'reject']) {
      const replay = await postApproval(link, { ...form, decision }, page.cookie);
      expect(replay.status).toBe(409);
      expect(replay.html).toContain('This decision was already taken: approve by B. Wanjiru');
    }
    const reopened = await fetch(link);
    expect(reopened.status).toBe(409);
    await expectUnchanged(contract.id, before);
  });

  it('refuses a decision the contract no longer awaits, even from a page opened before', async () => {
    const contract = exampleContract({ id: uniqueId('PC-SEC-LEFT') });
    await api(stack, 'POST', '/api/v1/contracts', contract);
    const link = approvalLink(await agreementRequest(contract));
    const page = await openApprovalPage(link);
    const proposal = await api(stack, 'POST', `/api/v1/contracts/${contract.id}/revisions`, {
      proposedBy: 'unit',
      indicators: contract.indicators,
      note: 'Counter-proposal',
    });
    expect(proposal.status).toBe(201);
    await waitForEmail(stack, (m) => m.subject === `${contract.id}: please agree to revision 2`, 'r2');
    const before = await settled(contract.id);
    const posted = await postApproval(link, { decision: 'approve', csrf: page.csrf! }, page.cookie);
    expect(posted.status).toBe(409);
    expect(posted.html).toContain('This decision is no longer awaited');
    expect((await fetch(link)).status).toBe(409);
    await expectUnchanged(contract.id, before);
  });
});

describe('API tokens and roles', () => {
  it('refuses every route without a token, with an unknown or a revoked one (401), and changes nothing', async () => {
    const before = await snapshots();
    for (const row of guarded()) {
      for (const [who, token] of [
        ['nobody', undefined],
        ['unknown', `cov_${'x'.repeat(43)}`],
        ['revoked', revoked],
        ['malformed', 'Basic YWRtaW46YWRtaW4='],
      ] as const) {
        const response = await call(row, token === undefined ? undefined : token, who === 'malformed');
        expect([row.method, row.path, who, response.status]).toEqual([row.method, row.path, who, 401]);
        expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="covenant"/);
        expectErrorShape(response);
      }
    }
    await expectAllUnchanged(before);
  });

  it('refuses every route to each role its row does not list (403), and changes nothing', async () => {
    const before = await snapshots();
    let refusals = 0;
    for (const row of guarded()) {
      for (const caller of Object.keys(tokens) as Caller[]) {
        if ((row.roles as readonly Role[]).includes(ROLE_OF[caller])) continue;
        const response = await call(row, tokens[caller]);
        expect([row.method, row.path, caller, response.status]).toEqual([row.method, row.path, caller, 403]);
        expectErrorShape(response);
        refusals += 1;
      }
    }
    expect(refusals).toBeGreaterThan(30);
    await expectAllUnchanged(before);
  });

  it("refuses a manager or a unit another contract's routes (403), and a unit speaking for the principal", async () => {
    const before = await snapshots();
    let refusals = 0;
    for (const row of guarded().filter((r) => r.scope)) {
      for (const caller of ['otherManager', 'otherUnit'] as const) {
        if (!(row.roles as readonly Role[]).includes(ROLE_OF[caller])) continue;
        const response = await call(row, tokens[caller]);
        expect([row.method, row.path, caller, response.status]).toEqual([row.method, row.path, caller, 403]);
        // The API answers JSON, pages a page: either way the refusal says why.
        expect(response.text).toContain('does not cover contract');
        refusals += 1;
      }
    }
    expect(refusals).toBeGreaterThan(10);
    for (const [caller, party] of [
      ['unit', 'principal'],
      ['unitByEmail', 'principal'],
      ['manager', 'unit'],
    ] as const) {
      for (const path of ['revisions', 'mid-year-revisions']) {
        const response = await api(
          stack,
          'POST',
          `/api/v1/contracts/${target.id}/${path}`,
          { ...bodyFor(path), proposedBy: party },
          { token: tokens[caller] },
        );
        expect([caller, path, response.status]).toEqual([caller, path, 403]);
        expect(response.body).toEqual({
          errors: [
            {
              pointer: '/proposedBy',
              message: `A ${ROLE_OF[caller]} token acts for the ${party === 'unit' ? 'principal' : 'unit'} only.`,
            },
          ],
        });
      }
    }
    await expectAllUnchanged(before);
  });

  it('lets each role read what its row grants, and lists only the contracts it may see', async () => {
    await waitFor(async () => {
      const all = await api<{ contracts: { id: string }[] }>(stack, 'GET', '/api/v1/contracts');
      const ids = all.body.contracts.map((c) => c.id);
      return ids.includes(target.id) && ids.includes(roads.id) ? true : undefined;
    }, 'both contracts in visibility');
    // A published portfolio review, for its routes and its document.
    expect(
      (await api(stack, 'POST', '/api/v1/portfolio/reviews', { year: 2027, quarter: 'Q1', cutoffDays: 0 }))
        .status,
    ).toBe(202);
    portfolioDocument = await waitFor(async () => {
      const r = await api<{ document: string }>(stack, 'GET', '/api/v1/portfolio/reviews/2027-Q1');
      return r.status === 200 ? r.body.document : undefined;
    }, 'a portfolio review');
    for (const row of guarded().filter((r) => r.method === 'GET')) {
      for (const caller of ['admin', 'viewer', 'manager', 'unit', 'unitByEmail'] as const) {
        if (!(row.roles as readonly Role[]).includes(ROLE_OF[caller])) continue;
        const response = await call(row, tokens[caller]);
        // Past the gate: 200, or 404 where the target contract has no such thing (yet).
        const expected = ABSENT_ON_TARGET.includes(row.path) ? 404 : 200;
        expect([row.path, caller, response.status]).toEqual([row.path, caller, expected]);
      }
    }
    const sees = async (caller: Caller) => {
      const list = await api<{ contracts: { id: string }[] }>(stack, 'GET', '/api/v1/contracts', undefined, {
        token: tokens[caller],
      });
      expect(list.status).toBe(200);
      const ids = list.body.contracts.map((c) => c.id);
      return [ids.includes(target.id), ids.includes(roads.id)];
    };
    expect(await sees('viewer')).toEqual([true, true]);
    expect(await sees('manager')).toEqual([true, false]);
    expect(await sees('otherManager')).toEqual([false, true]);
    expect(await sees('unit')).toEqual([true, false]);
    expect(await sees('unitByEmail')).toEqual([true, false]);
    expect(await sees('otherUnit')).toEqual([false, true]);
    const foreignFilter = await api<{ contracts: unknown[] }>(
      stack,
      'GET',
      `/api/v1/contracts?unit=${encodeURIComponent(target.unit.name)}`,
      undefined,
      { token: tokens.otherUnit },
    );
    expect(foreignFilter.body.contracts).toEqual([]);
  });

  it('lets a unit propose for itself on its own contract (the positive case of the refusals above)', async () => {
    const contract = exampleContract({ id: uniqueId('PC-SEC-UNIT') });
    await api(stack, 'POST', '/api/v1/contracts', contract);
    const proposal = await api(
      stack,
      'POST',
      `/api/v1/contracts/${contract.id}/revisions`,
      {
        proposedBy: 'unit',
        indicators: contract.indicators,
      },
      { token: tokens.unit },
    );
    expect(proposal).toEqual({ status: 201, body: { revision: 2 } });
  });
});

describe('documents and web UI', () => {
  it('serves a document with a signed link or a token in scope, and refuses forged, expired and foreign ones', async () => {
    const secret = stack.linkSecret;
    const inAWeek = Date.now() + 7 * 86_400_000;
    const get = (path: string, token?: string) =>
      raw(stack, {
        method: 'GET',
        path,
        headers: { ...REMOTE, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      });
    expect((await get(signDocumentUrl(documentPath, secret, inAWeek))).status).toBe(200);
    const cases: [string, RawResponse, number][] = [
      ['no credential', await get(documentPath), 401],
      ['another key', await get(signDocumentUrl(documentPath, OTHER_SECRET, inAWeek)), 401],
      ['expired', await get(signDocumentUrl(documentPath, secret, Date.now() - 1000)), 401],
      [
        'link of another document',
        await get(
          signDocumentUrl(`/documents/${roads.id}/y1-Q1-review.html`, secret, inAWeek).replace(
            roads.id,
            target.id,
          ),
        ),
        401,
      ],
      ['token of another unit', await get(documentPath, tokens.otherUnit), 403],
      ['token of its unit', await get(documentPath, tokens.unit), 200],
      ['viewer token', await get(documentPath, tokens.viewer), 200],
    ];
    for (const [name, response, status] of cases) expect([name, response.status]).toEqual([name, status]);
    expect(cases[2]![1].text).toContain('has expired');
    expect(cases[5]![1].text).toContain('Q1 review');
  });

  it("links the contract document on a signatory's page with a link that needs no token", async () => {
    const contract = exampleContract({ id: uniqueId('PC-SEC-SIGN') });
    await api(stack, 'POST', '/api/v1/contracts', contract);
    expect((await decide(approvalLink(await agreementRequest(contract)), 'approve')).status).toBe(200);
    const sign = await waitForEmail(
      stack,
      (m) =>
        m.subject === `${contract.id}: please sign revision 1` &&
        m.to.includes(contract.unit.signatory.email),
      'signing request',
    );
    const page = await (await fetch(approvalLink(sign))).text();
    // The PDF signed and the same document as a web page, each by a link that needs no token.
    const pdf = /<a href="(\/documents\/[^"]+)">contract document \(PDF\)<\/a>/
      .exec(page)?.[1]
      ?.replaceAll('&#x3D;', '=');
    expect(pdf).toMatch(/\.pdf\?token=/);
    const printed = await raw(stack, { method: 'GET', path: pdf!, headers: REMOTE });
    expect([printed.status, printed.headers['content-type']]).toEqual([200, 'application/pdf']);
    const href = /<a href="(\/documents\/[^"]+)">as a web page<\/a>/
      .exec(page)?.[1]
      ?.replaceAll('&#x3D;', '=');
    expect(href).toMatch(/\.html\?token=/);
    const document = await raw(stack, { method: 'GET', path: href!, headers: REMOTE });
    expect(document.status).toBe(200);
    const unsigned = await raw(stack, { method: 'GET', path: href!.split('?')[0]!, headers: REMOTE });
    expect(unsigned.status).toBe(401);
  });

  it('opens the web UI to no one without a session or a token, this machine included, and the outbox to admins only', async () => {
    for (const path of ['/', `/contracts/${target.id}`, '/outbox']) {
      expect([path, (await raw(stack, { method: 'GET', path })).status]).toEqual([path, 401]);
      const remote = await raw(stack, { method: 'GET', path, headers: REMOTE });
      expect([path, remote.status]).toEqual([path, 401]);
      const admin = await raw(stack, {
        method: 'GET',
        path,
        headers: { ...REMOTE, authorization: `Bearer ${tokens.admin}` },
      });
      expect([path, admin.status]).toEqual([path, 200]);
    }
    const outbox = await raw(stack, {
      method: 'GET',
      path: '/outbox',
      headers: { ...REMOTE, authorization: `Bearer ${tokens.viewer}` },
    });
    expect(outbox.status).toBe(403);
    // A unit's token shows the list of its own contracts only.
    const list = await raw(stack, {
      method: 'GET',
      path: '/',
      headers: { ...REMOTE, authorization: `Bearer ${tokens.otherUnit}` },
    });
    expect(list.text).toContain(roads.id);
    expect(list.text).not.toContain(target.id);
  });
});

describe('hostile input', () => {
  it('answers malformed, oversized, mistyped and unknown input with an error and its pointer, no stack, and changes nothing', async () => {
    const before = await snapshots();
    const auth = { authorization: `Bearer ${tokens.admin}` };
    const json = { ...auth, 'content-type': 'application/json' };
    const reports = `/api/v1/contracts/${target.id}/reports`;
    const cases: {
      name: string;
      request: Parameters<typeof raw>[1];
      status: number;
      error?: { pointer: string; message: string };
    }[] = [
      {
        name: 'malformed JSON',
        request: { method: 'POST', path: reports, headers: json, body: '{"period": "Q1", ' },
        status: 400,
        error: { pointer: '', message: 'The body is not valid JSON' },
      },
      {
        name: 'body over 1 MB',
        request: {
          method: 'POST',
          path: '/api/v1/contracts',
          headers: json,
          body: JSON.stringify({ notes: 'x'.repeat(1_100_000) }),
        },
        status: 413,
        error: { pointer: '', message: 'The body is too large' },
      },
      {
        name: 'form instead of JSON',
        request: {
          method: 'POST',
          path: reports,
          headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'period=Q1',
        },
        status: 415,
      },
      {
        name: 'no body',
        request: { method: 'POST', path: `/api/v1/contracts/${target.id}/terminate`, headers: auth },
        status: 415,
      },
      {
        name: 'unknown field',
        request: {
          method: 'POST',
          path: reports,
          headers: json,
          body: JSON.stringify({ period: 'Q1', actuals: { immunisation: 1 }, approvedBy: 'me' }),
        },
        status: 400,
        error: { pointer: '/approvedBy', message: 'is not a known field' },
      },
      {
        name: 'wrong type',
        request: {
          method: 'POST',
          path: reports,
          headers: json,
          body: JSON.stringify({ period: 'Q1', actuals: { immunisation: '80%' } }),
        },
        status: 400,
        error: { pointer: '/actuals/immunisation', message: 'must be number,null' },
      },
      {
        name: 'JSON array body',
        request: { method: 'POST', path: reports, headers: json, body: '[]' },
        status: 400,
      },
      {
        name: 'deeply nested',
        request: {
          method: 'POST',
          path: reports,
          headers: json,
          body: '{"period":"Q1","actuals":' + '{"a":'.repeat(5000) + '1' + '}'.repeat(5001),
        },
        status: 400,
      },
      {
        name: 'unknown query parameter',
        request: { method: 'GET', path: `/api/v1/contracts/${target.id}?debug=1`, headers: auth },
        status: 400,
        error: { pointer: '/debug', message: 'is not a known field' },
      },
      {
        name: 'repeated list filter',
        request: { method: 'GET', path: '/api/v1/contracts?stage=active&stage=closed', headers: auth },
        status: 400,
      },
      {
        name: 'unknown API route',
        request: { method: 'GET', path: '/api/v1/secrets', headers: auth },
        status: 404,
        error: { pointer: '', message: 'No such API route' },
      },
      {
        name: 'unknown contract',
        request: { method: 'GET', path: '/api/v1/contracts/PC-NOWHERE', headers: auth },
        status: 404,
        error: { pointer: '', message: 'No such contract' },
      },
      {
        name: 'wrong method',
        request: { method: 'DELETE', path: `/api/v1/contracts/${target.id}`, headers: auth },
        status: 405,
      },
      {
        name: 'path not validly encoded',
        request: { method: 'GET', path: '/api/v1/contracts/%E0%A4%A', headers: auth },
        status: 400,
      },
      {
        name: 'oversized approval form',
        request: {
          method: 'POST',
          path: new URL(targetLink).pathname,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `comment=${'x'.repeat(40_000)}`,
        },
        status: 413,
      },
    ];
    for (const attack of cases) {
      const response = await raw(stack, attack.request);
      expect([attack.name, response.status]).toEqual([attack.name, attack.status]);
      expectErrorShape(response);
      if (attack.error)
        expect([attack.name, response.json]).toEqual([attack.name, { errors: [attack.error] }]);
    }
    const wrongMethod = await raw(stack, {
      method: 'DELETE',
      path: `/api/v1/contracts/${target.id}`,
      headers: auth,
    });
    expect(wrongMethod.headers.allow).toBe('GET, HEAD');
    await expectAllUnchanged(before);
  });
});

describe('rate limits', () => {
  let limited: Stack;
  afterAll(async () => {
    await limited?.stop();
  });

  it('answers 429 with Retry-After past the per-minute limit, per client address, on approval links, the API and form posts', async () => {
    limited = await startTestStack({
      env: { COVENANT_APPROVAL_RATE_LIMIT: '5', COVENANT_API_RATE_LIMIT: '8' },
    });
    const link = `${limited.urls.app}/approvals/not-a-token`;
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await fetch(link, { headers: from('198.51.100.7') })).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429]);
    const limitedPage = await fetch(link, { headers: from('198.51.100.7') });
    expect(limitedPage.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await limitedPage.text()).toContain('Too many requests');
    expect((await fetch(link, { headers: from('198.51.100.8') })).status).toBe(400);

    const apiStatuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const response = await api(limited, 'GET', '/api/v1/contracts?stage=closed', undefined, {
        headers: from('203.0.113.9'),
      });
      apiStatuses.push(response.status);
      if (response.status === 429)
        expect(response.body).toEqual({
          errors: [
            { pointer: '', message: 'Too many requests from this address; see the Retry-After header.' },
          ],
        });
    }
    expect(apiStatuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 429, 429]);

    // The web application's form posts, counted like API calls: refused before anything else looks.
    const formStatuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const response = await fetch(`${limited.urls.app}/rulesets/default/grades`, {
        method: 'POST',
        headers: { ...from('192.0.2.44'), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grade.0=Excellent&limit.0=2',
        redirect: 'manual',
      });
      formStatuses.push(response.status);
      if (response.status === 429) expect(await response.text()).toContain('too many forms in a minute');
    }
    expect(formStatuses.slice(0, 8).every((s) => s !== 429)).toBe(true);
    expect(formStatuses.slice(8)).toEqual([429, 429]);
    // Pages (GET) are not forms: still answered from that address.
    expect((await fetch(`${limited.urls.app}/sign-in`, { headers: from('192.0.2.44') })).status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------

interface Snapshot {
  state: ContractState;
  audit: unknown;
}

async function snapshot(id: string): Promise<Snapshot> {
  const state = await api<ContractState>(stack, 'GET', `/api/v1/contracts/${id}`);
  const audit = await api(stack, 'GET', `/api/v1/contracts/${id}/audit`);
  expect([state.status, audit.status]).toEqual([200, 200]);
  return { state: state.body, audit: audit.body };
}

async function settled(id: string): Promise<Snapshot> {
  await settledState(stack, id);
  return snapshot(id);
}

async function expectUnchanged(id: string, before: Snapshot): Promise<void> {
  expect(await snapshot(id)).toEqual(before);
}

const created = uniqueId('PC-SEC-NEVER');

async function snapshots(): Promise<Snapshot[]> {
  return [await snapshot(target.id), await snapshot(roads.id)];
}

async function expectAllUnchanged(before: Snapshot[]): Promise<void> {
  expect(await snapshots()).toEqual(before);
  await expect(stack.client.workflow.getHandle(created).describe()).rejects.toBeInstanceOf(
    WorkflowNotFoundError,
  );
  expect((await messages(stack)).filter((m) => m.subject.startsWith(`${target.id}:`))).toHaveLength(1);
}

/** Every row that needs a credential. */
/** Rows naming something the target contract does not have: the gate lets the caller through to a 404. */
const ABSENT_ON_TARGET = ['/contracts/:id/corrective-actions/:action'];

function guarded(): Permission[] {
  return PERMISSIONS.filter((row) => row.roles !== 'public');
}

/** One request to a row, aimed at the target contract, from a host that is not loopback. */
async function call(row: Permission, token: string | undefined, asIs = false): Promise<RawResponse> {
  const path = row.path
    .replace('/outbox/:id', `/outbox/${(await messages(stack))[0]!.id}`)
    .replace('/documents/_portfolio/*path', portfolioDocument)
    .replace('/documents/*path', documentPath)
    .replace(':quarter', '2027-Q1')
    .replace(':period', 'Q1')
    .replace(':action', 'no-such-action')
    .replace('/rulesets/:id', '/rulesets/default')
    .replace(':version', '1')
    .replace(':id', target.id)
    .replace(':approvalId', 'y1-r1-agree-unit');
  const body = row.method === 'POST' ? JSON.stringify(bodyFor(row.path.split('/').pop()!)) : undefined;
  return raw(stack, {
    method: row.method,
    path,
    headers: {
      ...REMOTE,
      ...(token === undefined ? {} : { authorization: asIs ? token : `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body }),
  });
}

/** A body the route would accept: refused only for who sends it, it would otherwise change things. */
function bodyFor(last: string): Record<string, unknown> {
  const bodies: Record<string, Record<string, unknown>> = {
    contracts: { ...exampleContract({ id: created }) },
    reports: { period: 'Q1', actuals: { immunisation: 80 } },
    revisions: { proposedBy: 'unit', indicators: target.indicators, note: 'attack' },
    'mid-year-revisions': { proposedBy: 'unit', targets: { immunisation: 99 }, justification: 'attack' },
    moderations: {
      period: 'Q1',
      reviewVersion: 1,
      by: { name: 'M. Allory', email: 'mallory@evil.example' },
      values: { immunisation: { actual: 100, reason: 'attack' } },
    },
    terminate: { reason: 'attack' },
    suspend: { reason: 'attack' },
    resume: { reason: 'attack' },
  };
  return bodies[last] ?? {};
}

function expectErrorShape(response: RawResponse): void {
  if (!String(response.headers['content-type']).includes('json')) {
    expect(response.text).not.toMatch(/\n\s+at /);
    return;
  }
  const body = response.json as { errors: { pointer: string; message: string }[] };
  expect(Object.keys(body)).toEqual(['errors']);
  for (const error of body.errors) {
    expect(Object.keys(error).sort()).toEqual(['message', 'pointer']);
    expect(error.message).not.toMatch(/\n\s+at |Error:/);
  }
}

function agreementRequest(contract: ContractInput) {
  return waitForEmail(
    stack,
    (m) => m.subject === `${contract.id}: please agree to revision 1`,
    `${contract.id} agree`,
  );
}

function claimsOf(link: string): ApprovalClaims {
  const check = verifyApprovalToken(link.split('/approvals/')[1]!, stack.linkSecret, Date.now());
  if (!check.ok) throw new Error(`The emailed link does not verify: ${check.reason}`);
  return check.claims;
}

/** A link signed with this server's key but with changed claims, as if the key had leaked. */
function resign(claims: ApprovalClaims, change: Partial<ApprovalClaims>): string {
  return `${stack.urls.app}/approvals/${signApprovalToken({ ...claims, ...change }, stack.linkSecret)}`;
}
