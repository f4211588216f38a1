// A corrective action in the browser: an escalation asked the unit for one; the unit adds it to
// its plan (an initiative with an owner and a due day), then closes it with a note or evidence.
// The same Updates and checks as the API (./action-plan.ts); a refusal is marked on its field.
import type { Client } from '@temporalio/client';
import { Router, type Request, type Response } from 'express';
import { CovenantError, type Issue } from '../../model/errors.js';
import type { BlobStore } from '../../store/blobs.js';
import { addCorrectiveActionUpdate, closeCorrectiveActionUpdate } from '../../workflows/messages.js';
import { attribution } from '../auth/access.js';
import type { ContractReads } from '../contract-reads.js';
import { statusOf, toCovenantError } from '../errors.js';
import type { Pages } from '../pages.js';
import { checkClose, checkCorrective } from './action-plan.js';
import { storeEvidence } from './evidence.js';
import type { UploadedFile } from './report-form.js';

type Body = Record<string, string | undefined>;

export function correctiveFormRoutes(
  client: Client,
  reads: ContractReads,
  pages: Pages,
  documents: BlobStore,
): Router {
  const router = Router();

  router.get('/:id/corrective-actions/:action', (req, res) => show(req, res, 200));

  router.post('/:id/corrective-actions/:action', async (req, res) => {
    const { id, action } = req.params;
    const body = (req.body ?? {}) as Body;
    const handle = client.workflow.getHandle(id);
    try {
      if (body.do === 'close') {
        const files = (req as unknown as { files?: UploadedFile[] }).files ?? [];
        const evidence = [];
        for (const file of files.filter((f) => f.buffer.length > 0)) {
          try {
            evidence.push(
              await storeEvidence(documents, id, file.mimetype, file.buffer, file.originalname || undefined),
            );
          } catch (err) {
            if (err instanceof CovenantError)
              throw new CovenantError('invalid', [
                { pointer: '/evidence', message: `${file.originalname}: ${err.issues[0]!.message}` },
              ]);
            throw err;
          }
        }
        const note = body.note?.trim();
        checkClose({ ...(note ? { note } : {}) });
        if (!note && evidence.length === 0)
          throw new CovenantError('invalid', [
            { pointer: '/note', message: 'Say what was done, or attach evidence.' },
          ]);
        const input = {
          action,
          ...(note ? { note } : {}),
          ...(evidence.length ? { evidence } : {}),
          ...attribution(req),
        };
        await reads.change(id, () => handle.executeUpdate(closeCorrectiveActionUpdate, { args: [input] }));
      } else {
        const { initiative } = checkCorrective({
          initiative: {
            id: body.initiative?.trim() ?? '',
            title: body.title?.trim() ?? '',
            indicators: (body.indicators ?? '')
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
            owner: { name: body['owner.name']?.trim() ?? '', email: body['owner.email']?.trim() ?? '' },
            due: body.due?.trim() ?? '',
          },
        });
        const input = { action, initiative, ...attribution(req) };
        await reads.change(id, () => handle.executeUpdate(addCorrectiveActionUpdate, { args: [input] }));
      }
    } catch (err) {
      const refused = toCovenantError(err);
      if (!refused || statusOf(refused) >= 500) throw err;
      return show(req, res, statusOf(refused), body, refused.issues);
    }
    res.redirect(303, `${req.originalUrl.split('?')[0]}?done=${body.do === 'close' ? 'closed' : 'added'}`);
  });

  async function show(req: Request, res: Response, status: number, posted: Body = {}, issues: Issue[] = []) {
    const { id, action: actionId } = req.params as { id: string; action: string };
    const state = await reads.state(id);
    const action = state.correctiveActions?.find((a) => a.id === actionId);
    if (!action) {
      return pages.send(res, 404, 'message', {
        heading: 'No such corrective action',
        message: 'The contract page lists the corrective actions its escalations asked for.',
        link: { href: `/contracts/${encodeURIComponent(id)}`, text: 'Back to the contract' },
        bad: true,
      });
    }
    const errors: Record<string, string> = {};
    const general: string[] = [];
    for (const issue of issues) {
      const field =
        /^\/(?:initiative\/)?(id|title|indicators|owner\/name|owner\/email|due|note|evidence)/.exec(
          issue.pointer,
        )?.[1];
      if (field) errors[field === 'id' ? 'initiative' : field.replace('/', '_')] = issue.message;
      else general.push(issue.message);
    }
    const review = state.periods.find((p) => p.id === action.period)?.review;
    pages.send(res, status, 'corrective-action', {
      contract: state,
      action,
      initiative: state.actionPlan?.find((i) => i.id === action.initiative),
      done:
        req.query.done === 'added'
          ? 'Added to the action plan.'
          : req.query.done === 'closed'
            ? 'Closed.'
            : undefined,
      general,
      errors,
      posted: {
        initiative: posted.initiative ?? action.id,
        title: posted.title ?? '',
        // The indicators the review found below target with no initiative serving them, as a start.
        indicators: posted.indicators ?? (review?.plan?.uncovered ?? []).join(', '),
        owner_name: posted['owner.name'] ?? '',
        owner_email: posted['owner.email'] ?? '',
        due: posted.due ?? '',
        note: posted.note ?? '',
      },
    });
  }

  return router;
}
