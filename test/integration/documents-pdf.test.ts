// Documents as PDF, printed by the real headless Chromium on the documents task queue: the signed
// contract is a PDF whose SHA-256 each signature records; its signed copy fills in the signature
// blocks; review, evaluation and portfolio documents print on first request with a header naming
// the contract and period, page numbers and their charts; the text extracted from each PDF holds
// the contract's figures. And a document can neither run script nor reach the network.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PdfRenderer } from '../../activities/pdf.js';
import type { Stack } from '../../cli/stack.js';
import type { ContractState } from '../../model/state.js';
import {
  backdatedPeriod,
  contractState,
  exampleActuals,
  exampleContract,
  signContract,
  uniqueId,
} from '../support/contracts.js';
import { recordHistory } from '../support/histories.js';
import { pdfLine, pdfText } from '../support/pdf.js';
import { adminToken, api, startTestStack, waitFor, waitForEmail } from '../support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

const actuals = exampleActuals();

/** A stored document's bytes, fetched as an admin. */
async function download(path: string): Promise<{ status: number; type: string; bytes: Buffer }> {
  const response = await fetch(path.startsWith('http') ? path : stack.urls.app + path, {
    headers: { authorization: `Bearer ${adminToken(stack)}` },
  });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('PDF documents', () => {
  it('prints no script and fetches nothing, whatever the HTML holds', async () => {
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.end('leaked');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const renderer = new PdfRenderer();
    try {
      const pdf = await renderer.render(
        `<!doctype html><html><head><title>Hostile</title><link rel="stylesheet" href="${url}/style.css"></head>
         <body><p id="p">static text</p><script>document.getElementById('p').textContent = 'SCRIPT RAN'; fetch('${url}/fetch')</script>
         <img src="${url}/image.png"><iframe src="${url}/frame"></iframe><iframe src="file:///etc/passwd"></iframe>
         <object data="${url}/object"></object></body></html>`,
        'Hostile',
      );
      const text = (await pdfText(pdf)).join('\n');
      expect(text).toContain('static text');
      expect(text).not.toContain('SCRIPT RAN');
      expect(text).not.toContain('leaked');
      expect(text).not.toMatch(/root:/);
      expect(requests).toEqual([]);
    } finally {
      await renderer.close();
      server.close();
    }
  });

  it('makes the signed contract a PDF, prints every document with its figures, and fills in the signatures', async () => {
    // A year that ended last month: four quarters reported at once, then the evaluation.
    const contract = exampleContract({ id: uniqueId('PDF'), period: backdatedPeriod(13, 30) });
    const signed: ContractState = await signContract(stack, contract);

    // The PDF is what was signed: its stored bytes hash to what both signatures recorded.
    const signing = signed.signing!;
    expect(signing.pdf).toBe(signing.url.replace(/\.html$/, '.pdf'));
    const contractPdf = await download(signing.pdf!);
    expect([contractPdf.status, contractPdf.type]).toEqual([200, 'application/pdf']);
    expect(sha256(contractPdf.bytes)).toBe(signing.sha256);
    const signatures = signed.decisions.filter((d) => d.kind === 'sign');
    expect(signatures.map((d) => d.documentSha256)).toEqual([signing.sha256, signing.sha256]);
    const terms = await pdfLine(contractPdf.bytes);
    expect(terms).toContain(`${contract.title} (${contract.id}) · performance contract, year 1, revision 1`);
    expect(terms).toMatch(/page 1 of \d/);
    for (const indicator of contract.indicators) expect(terms).toContain(indicator.name);
    // Asked for again, the PDF is the same file: a signed hash never changes.
    expect(sha256((await download(signing.pdf!)).bytes)).toBe(signing.sha256);

    // The signing request linked the PDF; the "signed" email links the signed copy.
    const request = await waitForEmail(
      stack,
      (m) => m.subject.startsWith(`${contract.id}: please sign`),
      'signing request',
    );
    expect(request.text).toMatch(/The contract document as signed \(PDF\): \S+\.pdf\?token=/);
    const signedMail = await waitForEmail(
      stack,
      (m) => m.subject.includes(contract.id) && /signed/i.test(m.subject) && m.text.includes('signed copy'),
      'signed',
    );
    const copyLink = /The signed copy, with both signatures: (\S+)/.exec(signedMail.text)![1]!;
    const copy = await fetch(copyLink);
    expect(copy.status).toBe(200);
    const copyHtml = await copy.text();
    for (const d of signatures) {
      expect(copyHtml).toContain(d.by.name);
      expect(copyHtml).toContain(d.at);
    }
    expect(copyHtml.match(new RegExp(signing.sha256, 'g'))?.length).toBe(2);
    const copyPdf = await fetch(/As PDF: (\S+)/.exec(signedMail.text)![1]!);
    expect(copyPdf.headers.get('content-type')).toBe('application/pdf');
    const copyText = await pdfLine(Buffer.from(await copyPdf.arrayBuffer()));
    for (const d of signatures) expect(copyText).toContain(`For the ${d.role}: ${d.by.name}`);

    // Four quarters reported: each review prints on first request, two requests sharing one print.
    for (const [i, period] of ['Q1', 'Q2', 'Q3', 'Q4'].entries()) {
      const reported = await api(stack, 'POST', `/api/v1/contracts/${contract.id}/reports`, {
        period,
        actuals: { ...actuals, immunisation: 80 + i },
      });
      expect(reported.status).toBe(200);
    }
    const evaluated = await waitFor(
      async () => {
        const s = await contractState(stack, contract.id);
        return s.evaluation?.documentUrl ? s : undefined;
      },
      'the evaluation',
      30_000,
    );
    const q2 = evaluated.periods[1]!.review!;
    const q2Pdf = q2.documentUrl!.replace(/\.html$/, '.pdf');
    const [first, second] = await Promise.all([download(q2Pdf), download(q2Pdf)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(sha256(first.bytes)).toBe(sha256(second.bytes));
    const review = await pdfLine(first.bytes);
    expect(review).toContain(`${contract.title} (${contract.id}) · Q2 review, year 1`);
    expect(review).toMatch(/page 1 of \d/);
    expect(review).toContain(q2.score!.toFixed(2));
    for (const s of q2.indicators) {
      expect(review).toContain(s.name);
      expect(review).toContain(String(s.actual));
    }

    // The evaluation: its figures and its charts (SVG text stays text in the PDF).
    const evaluation = await pdfLine(
      (await download(evaluated.evaluation!.documentUrl!.replace(/\.html$/, '.pdf'))).bytes,
    );
    expect(evaluation).toContain('annual evaluation, year 1');
    expect(evaluation).toContain(evaluated.evaluation!.score!.toFixed(2));
    expect(evaluation).toContain('composite');

    // The portfolio review of Q4 (and the year), printed the same way.
    const year = Number(contract.period.start.slice(0, 4));
    expect(
      (await api(stack, 'POST', '/api/v1/portfolio/reviews', { year, quarter: 'Q4', cutoffDays: 0 })).status,
    ).toBe(202);
    const published = await waitFor(async () => {
      const r = await api<{ document: string }>(stack, 'GET', `/api/v1/portfolio/reviews/${year}-Q4`);
      return r.status === 200 ? r.body : undefined;
    }, 'the portfolio review');
    const portfolio = await pdfLine((await download(published.document.replace(/\.html$/, '.pdf'))).bytes);
    expect(portfolio).toContain(`Portfolio review ${year} Q4`);
    expect(portfolio).toContain(contract.title);
    expect(portfolio).toContain(evaluated.periods[3]!.review!.score!.toFixed(2));

    await recordHistory(stack.client, 'signed-pdf-year', contract.id);

    // A PDF of nothing stored is a 404, as the HTML would be.
    expect((await download(`/documents/${contract.id}/y1-Q9-review.pdf`)).status).toBe(404);
  });
});
