// Reports in two steps, through the API on a real stack: evidence uploaded and checked, a draft
// saved and saved again (no review, the ladder untouched), a submission refused while a figure is
// missing without an explanation, then accepted; the review document lists the notes and links
// the evidence, which downloads as it was uploaded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import type { ContractState } from '../../model/state.js';
import {
  backdatedPeriod,
  contractState,
  exampleContract,
  signContract,
  uniqueId,
} from '../support/contracts.js';
import { adminToken, api, startTestStack, waitFor, fetchDocument } from '../support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

type Errors = { errors: { pointer: string; message: string }[] };

async function upload(id: string, content: Buffer, type: string, name?: string) {
  const response = await fetch(
    `${stack.urls.app}/api/v1/contracts/${id}/evidence${name ? `?name=${encodeURIComponent(name)}` : ''}`,
    {
      method: 'POST',
      headers: { 'content-type': type, authorization: `Bearer ${adminToken(stack)}` },
      body: content,
    },
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & Errors };
}

describe('reports in two steps', () => {
  it('saves drafts with notes and evidence, refuses an unexplained gap, and reviews only the submission', async () => {
    const example = exampleContract();
    const contract = exampleContract({
      id: uniqueId('PC-DRAFT'),
      period: backdatedPeriod(4),
      indicators: [
        { ...example.indicators[0]!, weight: 60 },
        { ...example.indicators[1]!, weight: 40 },
      ],
    });
    const id = contract.id;
    await signContract(stack, contract);

    // Evidence: a PDF is stored by its hash; a PNG sent as a PDF, HTML and 10 MB + 1 byte are not.
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
    const stored = await upload(id, pdf, 'application/pdf', 'immunisation register.pdf');
    expect(stored.status).toBe(201);
    expect(stored.body).toMatchObject({
      name: 'immunisation register.pdf',
      type: 'application/pdf',
      size: pdf.length,
    });
    const sha256 = stored.body.sha256 as string;
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect((await upload(id, png, 'application/pdf')).status).toBe(400);
    expect((await upload(id, png, 'image/png')).status).toBe(201);
    const html = await upload(id, Buffer.from('<script>alert(1)</script>'), 'text/html');
    expect(html.status).toBe(415);
    expect(html.body.errors[0]!.message).toMatch(/not accepted; send application\/pdf/);
    expect((await upload(id, Buffer.alloc(10 * 1024 * 1024 + 1, 0x41), 'text/csv')).status).toBe(413);

    // A first draft: one figure of two, with a comment, its quality and the register.
    const draftUrl = `/api/v1/contracts/${id}/reports/Q1/draft`;
    const first = await api<{ missing: string[] }>(stack, 'POST', draftUrl, {
      figures: {
        immunisation: {
          actual: 83,
          comment: 'From the facility registers',
          quality: 'provisional',
          evidence: [{ sha256, name: 'register.pdf' }],
        },
      },
    });
    expect(first).toEqual({ status: 200, body: { period: 'Q1', missing: ['maternal-deaths'] } });
    // Saved again: the figure is replaced, the evidence still named.
    const second = await api(stack, 'POST', draftUrl, {
      figures: { immunisation: { actual: 84, quality: 'verified', evidence: [{ sha256 }] } },
    });
    expect(second.status).toBe(200);
    let state: ContractState = await contractState(stack, id);
    expect(state.periods[0]!.report).toBeUndefined();
    expect(state.periods[0]!.review).toBeUndefined();
    expect(state.periods[0]!.draft!.figures).toEqual({
      immunisation: {
        actual: 84,
        quality: 'verified',
        evidence: [{ sha256, name: 'immunisation register.pdf', type: 'application/pdf', size: pdf.length }],
      },
    });
    const unknown = await api<Errors>(stack, 'POST', draftUrl, {
      figures: { immunisation: { actual: 84, evidence: [{ sha256: 'f'.repeat(64) }] } },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0]!.pointer).toBe('/figures/immunisation/evidence/0/sha256');
    const wrongIndicator = await api<Errors>(stack, 'POST', draftUrl, {
      figures: { immunization: { actual: 84 } },
    });
    expect(wrongIndicator.status).toBe(400);
    expect(wrongIndicator.body.errors[0]!.pointer).toBe('/figures/immunization');

    // A figure keyed "__proto__" is refused by that name, not taken for an empty draft.
    const proto = await fetch(`${stack.urls.app}${draftUrl}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken(stack)}` },
      body: '{"figures":{"__proto__":{"actual":1,"evidence":[]}}}',
    });
    expect(proto.status).toBe(400);
    expect(((await proto.json()) as Errors).errors[0]).toMatchObject({ pointer: '/figures/__proto__' });
    // The same file uploaded again, unnamed, keeps the name it was first uploaded under.
    expect((await upload(id, pdf, 'application/pdf')).body.name).toBe('immunisation register.pdf');

    // Submitting with a figure left out and unexplained is refused, and changes nothing.
    const submitUrl = `/api/v1/contracts/${id}/reports/Q1/submit`;
    const gap = await api<Errors>(stack, 'POST', submitUrl, {});
    expect(gap.status).toBe(400);
    expect(gap.body.errors[0]).toMatchObject({ pointer: '/figures/maternal-deaths/explanation' });
    expect(gap.body.errors[0]!.message).toMatch(/No figure for maternal-deaths/);
    const oneStep = await api<Errors>(stack, 'POST', `/api/v1/contracts/${id}/reports`, {
      period: 'Q1',
      actuals: { immunisation: 84 },
    });
    expect(oneStep.status).toBe(400);
    expect((await contractState(stack, id)).periods[0]!.draft!.figures.immunisation!.actual).toBe(84);

    // Explained, it is submitted: the review follows, the draft is gone, the notes are kept.
    const submitted = await api(stack, 'POST', submitUrl, {
      figures: {
        'maternal-deaths': {
          actual: null,
          explanation: 'The maternity register was lost in the March floods',
        },
      },
    });
    expect(submitted).toEqual({ status: 200, body: { period: 'Q1', late: false } });
    state = await waitFor(async () => {
      const s = await contractState(stack, id);
      return s.periods[0]!.review?.documentUrl ? s : undefined;
    }, 'Q1 review');
    const q1 = state.periods[0]!;
    expect(q1.draft).toBeUndefined();
    expect(q1.report!.actuals).toEqual({ immunisation: 84, 'maternal-deaths': null });
    expect(q1.report!.notes).toEqual({
      immunisation: { quality: 'verified', evidence: [expect.objectContaining({ sha256 })] },
      'maternal-deaths': { explanation: 'The maternity register was lost in the March floods' },
    });
    expect(q1.review!.missing).toEqual(['maternal-deaths']);
    expect(state.log.map((l) => l.event)).toEqual(
      expect.arrayContaining(['report-draft-saved', 'report-accepted', 'reviewed']),
    );

    // The review document lists the notes and links the evidence, which downloads unchanged.
    const documentHtml = await (await fetchDocument(stack, q1.review!.documentUrl!)).text();
    expect(documentHtml).toContain('The maternity register was lost in the March floods');
    // Names, not ids; the grade in its tone, with the scale explained.
    expect(documentHtml).toContain(`Not reported, scored as missing: ${contract.indicators[1]!.name}.`);
    expect(documentHtml).toMatch(/class="tone-(good|fair|poor)">/);
    expect(documentHtml).toContain(
      'a lower composite is better (on this inverted scale the best score is the lowest)',
    );
    const link = new RegExp(`href="(/documents/${id}/evidence/${sha256})"`).exec(documentHtml)?.[1];
    expect(link).toBeDefined();
    const download = await fetch(stack.urls.app + link!, {
      headers: { authorization: `Bearer ${adminToken(stack)}` },
    });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(Buffer.from(await download.arrayBuffer()).equals(pdf)).toBe(true);

    // Submitted is final: no more drafts; Q2 may be drafted while it runs, not submitted.
    expect((await api(stack, 'POST', draftUrl, { figures: { immunisation: { actual: 90 } } })).status).toBe(
      409,
    );
    const q2Draft = await api(stack, 'POST', `/api/v1/contracts/${id}/reports/Q2/draft`, {
      figures: { immunisation: { actual: 85, quality: 'provisional' } },
    });
    expect(q2Draft.status).toBe(200);
    expect((await api(stack, 'POST', `/api/v1/contracts/${id}/reports/Q2/submit`, {})).status).toBe(409);
    expect((await contractState(stack, id)).periods[1]!.review).toBeUndefined();
  });
});
