// The bare Temporal workflow the storm bench compares Covenant with: it waits for one Update (the
// report), then does what a review needs and nothing more: render and store a document, send one
// email, upsert one search attribute. Same activities' work, none of Covenant's bookkeeping.
import {
  condition,
  defineUpdate,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { createBaselineActivities } from './activities.js';
import { SCORE } from '../../workflows/messages.js';

const { renderAndStore, sendOneEmail } = proxyActivities<ReturnType<typeof createBaselineActivities>>({
  startToCloseTimeout: '1 minute',
});

export const reportUpdate = defineUpdate<{ ok: true }, [{ actuals: Record<string, number> }]>('report');

export async function baselineReviewWorkflow(id: string): Promise<void> {
  let actuals: Record<string, number> | undefined;
  setHandler(reportUpdate, (input) => {
    actuals = input.actuals;
    return { ok: true };
  });
  await condition(() => actuals !== undefined);
  const values = Object.values(actuals!);
  const score = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  await renderAndStore({ id, actuals: actuals!, score });
  await sendOneEmail({ id, score });
  upsertSearchAttributes([{ key: SCORE, value: score }]);
}
