// The contract's side effects, as the workflow calls them (the implementations are in activities/).
// Timeouts are short so that work in flight when a worker dies resumes within seconds: documents
// have a short start-to-close; emails heartbeat while the relay is slow (activities/index.ts), so a
// dead worker is noticed within the heartbeat timeout, while a slow relay is waited for, once.
import { proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { createDocumentActivities } from '../../activities/documents.js';
import type { createActivities } from '../../activities/index.js';
import { documentsQueue } from '../messages.js';

type Activities = ReturnType<typeof createActivities>;

export const { sendEmail, requestApproval } = proxyActivities<Activities>({
  // Above the mail transport's own timeouts (activities/mailer.ts), which end a stuck attempt first.
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '10 seconds',
  // Mail relays go down for hours: keep retrying with backoff rather than lose a message.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '15 minutes' },
});

export const { storeReviewDocument, storeContractDocument, storeEvaluationDocument } =
  proxyActivities<Activities>({
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });

export const { projectContract } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  // A database that is down delays the read model only (./projection.ts): keep trying.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Short writes to PostgreSQL, run in the worker within the workflow task: the read model
 * (./projection.ts) and the review document (./reporting.ts); and one short read, the peers'
 * figures for targets suggested at renewal (./evaluation.ts). No task queue round trip and no
 * input in the history; idempotent, as a crash runs them again.
 */
export const {
  writeProjection,
  storeReviewDocument: storeReviewDocumentLocally,
  peerFigures,
} = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * The signed contract printed to PDF on the documents task queue (Chromium). Called when a
 * contract passes vetting, so it is the queue of the worker running the contract that decides.
 */
export function renderPdf(input: { key: string }) {
  const { renderPdf: render } = proxyActivities<ReturnType<typeof createDocumentActivities>>({
    taskQueue: documentsQueue(workflowInfo().taskQueue),
    startToCloseTimeout: '2 minutes',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });
  return render(input);
}
