// The contract's side effects, as the workflow calls them (the implementations are in activities/).
import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../../activities/index.js';

type Activities = ReturnType<typeof createActivities>;

export const {
  sendEmail,
  requestApproval,
  storeReviewDocument,
  storeContractDocument,
  storeEvaluationDocument,
} = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  // Mail relays go down for hours: keep retrying with backoff rather than lose a message.
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '15 minutes' },
});
