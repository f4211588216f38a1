// Stored documents, by key: /documents/<contract id>/<name>, and the portfolio's under _portfolio/.
// The key is checked as the store checks it (letters, digits, '.', '_', '-' per segment, no dot
// segments), so the contract the scope check saw in the first segment is the one whose document
// is read.
//
// Every HTML document is also a PDF at the same key ending in .pdf: printed on the documents task
// queue the first time it is asked for (documentPdfWorkflow), kept from then on. The signed copy of
// a contract (<id>/y1-r1-contract-signed.html) is made the first time it is asked for, from the
// document signed and the signatures in the read model.
import { createHash } from 'node:crypto';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { Router, type Response } from 'express';
import { CovenantError, NO_BROWSER } from '../../model/errors.js';
import type { Decision } from '../../model/state.js';
import { isDocumentKey, type BlobStore } from '../../store/blobs.js';
import type { ReadModel } from '../../store/read-model.js';
import type { Templates } from '../../templates/index.js';
import { DOCUMENT_PDF_WORKFLOW, type DocumentPdfInput } from '../../workflows/messages.js';

export interface DocumentDeps {
  documents: BlobStore;
  client: Client;
  taskQueue: string;
  readModel: ReadModel;
  templates: Templates;
}

/** How long a request waits for a first printing (Chromium's launch included). */
const PRINT_DEADLINE_MS = 60_000;
const SIGNED_COPY = /^([^/]+)\/y([0-9]+)-r([0-9]+)-contract-signed\.html$/;

export function documentRoutes(deps: DocumentDeps): Router {
  const { documents } = deps;
  const router = Router();
  // Portfolio reviews: published to everyone signed in (no contract's scope to check).
  router.get('/_portfolio/*path', async (req, res) => {
    await serve(`_portfolio/${req.params.path.join('/')}`, res);
  });
  router.get('/*path', async (req, res) => {
    await serve(req.params.path.join('/'), res);
  });

  async function serve(key: string, res: Response): Promise<void> {
    if (!isDocumentKey(key)) throw notFound();
    let found = await documents.get(key);
    if (!found && key.endsWith('.pdf')) {
      const htmlKey = key.replace(/\.pdf$/, '.html');
      if ((await documents.head(htmlKey)) || (await signedCopy(htmlKey))) {
        await print(htmlKey);
        found = await documents.get(key);
      }
    } else if (!found && (await signedCopy(key))) {
      found = await documents.get(key);
    }
    if (!found) throw notFound();
    // Uploaded evidence is the unit's file, not a page of ours: downloaded, never rendered here.
    if (key.split('/')[1] === 'evidence') res.attachment(found.name ?? key.split('/').at(-1));
    else if (found.contentType === 'application/pdf')
      res.set('Content-Disposition', `inline; filename="${key.split('/').at(-1)}"`);
    res.type(found.contentType).set('ETag', `"${found.sha256}"`).send(found.content);
  }

  /** Prints a stored HTML document on the documents task queue; one run per document at a time. */
  async function print(htmlKey: string): Promise<void> {
    const input: DocumentPdfInput = { key: htmlKey };
    const run = deps.client.workflow.execute(DOCUMENT_PDF_WORKFLOW, {
      workflowId: `document-pdf-${createHash('sha256').update(htmlKey).digest('hex').slice(0, 32)}`,
      taskQueue: deps.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(unavailable('The PDF is still being printed: try again in a minute.')),
        PRINT_DEADLINE_MS,
      );
    });
    try {
      await Promise.race([run, deadline]);
    } catch (err) {
      if (err instanceof WorkflowFailedError && failureType(err) === NO_BROWSER) {
        throw unavailable(
          'PDFs cannot be printed here: no worker has Chromium. The HTML document is at the same address ending in .html.',
        );
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The contract document as signed, with its signature blocks filled in (who, when, the SHA-256
   * each signature recorded), stored under its key; false before both parties have signed.
   */
  async function signedCopy(key: string): Promise<boolean> {
    const [, id, yearText, revisionText] = SIGNED_COPY.exec(key) ?? [];
    if (!id) return false;
    const [year, revision] = [Number(yearText), Number(revisionText)];
    const state = await deps.readModel.state(id);
    if (!state) return false;
    const signing = state.year === year ? state.signing : undefined;
    const decisions: Decision[] =
      state.year === year ? state.decisions : (state.years.find((y) => y.year === year)?.decisions ?? []);
    const signatures = decisions.filter(
      (d) => d.kind === 'sign' && d.revision === revision && d.decision === 'approve',
    );
    if (!signatures.some((d) => d.role === 'principal') || !signatures.some((d) => d.role === 'unit'))
      return false;
    const original = await documents.get(`${id}/y${year}-r${revision}-contract.html`);
    if (!original) return false;
    const block = deps.templates.render('documents/signatures', {
      signatures: [...signatures].sort((a, b) =>
        a.role === 'principal' ? -1 : b.role === 'principal' ? 1 : 0,
      ),
      signing: signing?.revision === revision ? signing : undefined,
    });
    const html = original.content
      .toString('utf8')
      .replace('<title>', '<title>Signed copy · ')
      .replace(/<div class="sign">[^<]*<\/div>/g, '')
      .replace('</body>', `${block}</body>`);
    await documents.putOnce(key, html, 'text/html; charset=utf-8');
    return true;
  }

  return router;
}

function failureType(err: WorkflowFailedError): string | undefined {
  let cause: unknown = err.cause;
  while (cause) {
    const type = (cause as { type?: unknown }).type;
    if (typeof type === 'string') return type;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

function notFound(): CovenantError {
  return new CovenantError('not-found', [{ pointer: '', message: 'No such document' }]);
}

function unavailable(message: string): CovenantError {
  return new CovenantError('unavailable', [{ pointer: '', message }]);
}
