// A stored document printed to PDF on the documents task queue, for a PDF asked for before it was
// printed (server/routes/documents.ts). One run per document at a time: the server starts it
// with the document's id and joins a run under way.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createDocumentActivities, StoredPdf } from '../activities/documents.js';
import { documentsQueue, type DocumentPdfInput } from './messages.js';

type Activities = ReturnType<typeof createDocumentActivities>;

export async function documentPdfWorkflow(input: DocumentPdfInput): Promise<StoredPdf> {
  const { renderPdf } = proxyActivities<Activities>({
    taskQueue: documentsQueue(workflowInfo().taskQueue),
    // A first rendering launches Chromium (a second or so); a stuck one is retried.
    startToCloseTimeout: '2 minutes',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      maximumAttempts: 5,
    },
  });
  return renderPdf({ key: input.key });
}
