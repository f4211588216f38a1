// The documents task queue's activity: a stored HTML document printed to PDF beside it
// (<key>.pdf), once. A PDF's bytes differ from one rendering to the next (Chromium stamps its
// creation time), so a PDF already stored is never rendered again: the SHA-256 a signature
// recorded stays the stored file's.
import { ApplicationFailure } from '@temporalio/activity';
import { NO_BROWSER } from '../model/errors.js';
import type { BlobStore } from '../store/blobs.js';
import { NoBrowserError, titleOf, type PdfRenderer } from './pdf.js';

export interface StoredPdf {
  path: string;
  sha256: string;
  size: number;
}

export function pdfKeyOf(htmlKey: string): string {
  return htmlKey.replace(/\.html$/, '') + '.pdf';
}

export function createDocumentActivities(deps: { documents: BlobStore; renderer: PdfRenderer }) {
  async function renderPdf({ key }: { key: string }): Promise<StoredPdf> {
    const pdfKey = pdfKeyOf(key);
    const stored = await deps.documents.head(pdfKey);
    if (stored) return { path: `/documents/${pdfKey}`, sha256: stored.sha256, size: stored.size };
    const html = await deps.documents.get(key);
    if (!html) throw ApplicationFailure.nonRetryable(`No document ${key} to print`, 'NotFound');
    const text = html.content.toString('utf8');
    let pdf: Buffer;
    try {
      pdf = await deps.renderer.render(text, titleOf(text));
    } catch (err) {
      if (err instanceof NoBrowserError) throw ApplicationFailure.nonRetryable(err.message, NO_BROWSER);
      throw err;
    }
    // Two renderings at once (a retry beside a slow first attempt): the first stored wins.
    const sha256 = await deps.documents.putOnce(pdfKey, pdf, 'application/pdf');
    const kept = await deps.documents.head(pdfKey);
    return { path: `/documents/${pdfKey}`, sha256, size: kept?.size ?? pdf.length };
  }

  return { renderPdf };
}
