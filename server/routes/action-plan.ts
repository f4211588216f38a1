// The action plan through the API: progress of its initiatives, and the corrective actions that
// escalations ask for (added as initiatives, closed with a note or evidence).
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { initiativeSchema, planUpdatesSchema } from '../../model/action-plan.js';
import { evidenceRefsSchema } from '../../model/report.js';
import { validator } from '../../model/validation.js';
import type { BlobStore } from '../../store/blobs.js';
import {
  addCorrectiveActionUpdate,
  closeCorrectiveActionUpdate,
  updateActionPlanUpdate,
  type CorrectiveInput,
  type PlanUpdateInput,
} from '../../workflows/messages.js';
import { attribution } from '../auth/access.js';
import type { ContractReads } from '../contract-reads.js';
import { resolveFiles, type EvidenceRef } from './evidence.js';

const checkUpdates = validator<Omit<PlanUpdateInput, 'actor'>>({
  type: 'object',
  additionalProperties: false,
  required: ['updates'],
  properties: { updates: planUpdatesSchema },
});

// A corrective action starts as planned: it takes no status.
const initiativeFields = Object.fromEntries(
  Object.entries(initiativeSchema.properties).filter(([name]) => name !== 'status'),
);
export const checkCorrective = validator<Pick<CorrectiveInput, 'initiative'>>({
  type: 'object',
  additionalProperties: false,
  required: ['initiative'],
  properties: {
    initiative: {
      type: 'object',
      additionalProperties: false,
      required: [...initiativeSchema.required, 'due'],
      properties: {
        ...initiativeFields,
        due: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', format: 'date' },
      },
    },
  },
});

export const checkClose = validator<{ note?: string; evidence?: EvidenceRef[] }>({
  type: 'object',
  additionalProperties: false,
  properties: {
    note: { type: 'string', maxLength: 2000 },
    evidence: evidenceRefsSchema,
  },
});

const checkAction = validator<string>({ type: 'string', pattern: '^[A-Za-z0-9._-]{1,200}$' });

export interface ActionPlanRoutesDeps {
  client: Client;
  reads: ContractReads;
  documents: BlobStore;
}

export function actionPlanRoutes({ client, reads, documents }: ActionPlanRoutesDeps): Router {
  const router = Router();
  const update = <R>(id: string, run: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<R>) =>
    reads.change(id, () => run(client.workflow.getHandle(id)));

  router.post('/:id/action-plan', async (req, res) => {
    const input: PlanUpdateInput = { ...checkUpdates(req.body), ...attribution(req) };
    res.json(await update(req.params.id, (h) => h.executeUpdate(updateActionPlanUpdate, { args: [input] })));
  });

  router.post('/:id/corrective-actions/:action', async (req, res) => {
    const input: CorrectiveInput = {
      action: checkAction(req.params.action),
      ...checkCorrective(req.body),
      ...attribution(req),
    };
    res.json(
      await update(req.params.id, (h) => h.executeUpdate(addCorrectiveActionUpdate, { args: [input] })),
    );
  });

  router.post('/:id/corrective-actions/:action/close', async (req, res) => {
    const action = checkAction(req.params.action);
    const { note, evidence } = checkClose(req.body);
    const files = evidence ? await resolveFiles(documents, req.params.id, evidence, '/evidence') : undefined;
    const input = {
      action,
      ...(note === undefined ? {} : { note }),
      ...(files ? { evidence: files } : {}),
      ...attribution(req),
    };
    res.json(
      await update(req.params.id, (h) => h.executeUpdate(closeCorrectiveActionUpdate, { args: [input] })),
    );
  });

  return router;
}
