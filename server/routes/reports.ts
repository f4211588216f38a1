// Quarterly reports through the API: a draft saved as often as the unit likes, then a submission
// (or both at once, the one-step POST .../reports). Evidence is uploaded first (./evidence.ts) and
// named in a figure by its SHA-256.
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { MAX_INDICATORS } from '../../model/contract.js';
import { planUpdatesSchema } from '../../model/action-plan.js';
import { figuresSchema } from '../../model/report.js';
import { validator } from '../../model/validation.js';
import {
  saveReportDraftUpdate,
  submitReportUpdate,
  type DraftInput,
  type ReportInput,
} from '../../workflows/messages.js';
import type { BlobStore } from '../../store/blobs.js';
import { attribution } from '../auth/access.js';
import type { ContractReads } from '../contract-reads.js';
import { resolveEvidence } from './evidence.js';

const PERIOD = { type: 'string', pattern: '^[A-Za-z0-9-]{1,20}$' } as const;
const ACTUALS = {
  type: 'object',
  minProperties: 1,
  maxProperties: MAX_INDICATORS,
  propertyNames: { maxLength: 100 },
  additionalProperties: { type: ['number', 'null'] },
} as const;

const checkReport = validator<ReportInput>({
  type: 'object',
  additionalProperties: false,
  required: ['period'],
  properties: { period: PERIOD, actuals: ACTUALS, figures: figuresSchema, plan: planUpdatesSchema },
});
const checkSubmission = validator<Omit<ReportInput, 'period'>>({
  type: 'object',
  additionalProperties: false,
  properties: { actuals: ACTUALS, figures: figuresSchema, plan: planUpdatesSchema },
});
const checkDraft = validator<Omit<DraftInput, 'period'>>({
  type: 'object',
  additionalProperties: false,
  required: ['figures'],
  properties: { figures: figuresSchema },
});
const checkPeriod = validator<string>(PERIOD);

export interface ReportRoutesDeps {
  client: Client;
  reads: ContractReads;
  documents: BlobStore;
}

export function reportRoutes({ client, reads, documents }: ReportRoutesDeps): Router {
  const router = Router();
  const submit = async (id: string, report: ReportInput) => {
    const figures = await resolveEvidence(documents, id, report.figures, '/figures');
    const input = { ...report, ...(figures ? { figures } : {}) };
    const handle = client.workflow.getHandle(id);
    return reads.change(id, () => handle.executeUpdate(submitReportUpdate, { args: [input] }));
  };

  router.post('/:id/reports', async (req, res) => {
    res.json(await submit(req.params.id, { ...checkReport(req.body), ...attribution(req) }));
  });

  router.post('/:id/reports/:period/submit', async (req, res) => {
    const period = checkPeriod(req.params.period);
    res.json(
      await submit(req.params.id, { period, ...checkSubmission(req.body ?? {}), ...attribution(req) }),
    );
  });

  router.post('/:id/reports/:period/draft', async (req, res) => {
    const period = checkPeriod(req.params.period);
    const draft = checkDraft(req.body);
    const figures = (await resolveEvidence(documents, req.params.id, draft.figures, '/figures'))!;
    const input: DraftInput = { period, figures, ...attribution(req) };
    const handle = client.workflow.getHandle(req.params.id);
    res.json(
      await reads.change(req.params.id, () => handle.executeUpdate(saveReportDraftUpdate, { args: [input] })),
    );
  });

  return router;
}
