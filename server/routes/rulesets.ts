// The rule-set API: list, save drafts, read versions, validate, publish, simulate. Thin: validate
// the request, then the registry (Temporal) and the pure rules/ modules do the work.
import type { Client } from '@temporalio/client';
import { Router, type Request } from 'express';
import { CovenantError, type Issue } from '../../model/errors.js';
import type { RuleSetDraft } from '../../model/ruleset.js';
import { validator } from '../../model/validation.js';
import { schemaErrors } from '../../rules/ruleset-validation.js';
import { principalOf } from '../auth/access.js';
import { MAX_NAMED, MAX_PORTFOLIO, simulatedPortfolio } from '../portfolio.js';
import { publishOrAsk, type PublicationDeps } from '../ruleset-publication.js';
import { editorOf } from '../studio-drafts.js';
import type { RuleRunner } from '../rule-runner/index.js';
import type { ReadModel } from '../../store/read-model.js';
import {
  findPublishedVersion,
  findRuleSet,
  listRuleSets,
  saveDraft,
} from '../ruleset-registry.js';

export interface RuleSetRoutesDeps {
  client: Client;
  taskQueue: string;
  readModel: ReadModel;
  /** Runs validations and simulations in threads, off this event loop. */
  runner: RuleRunner;
  /** Publishing, by one admin or under four eyes (../ruleset-publication.ts). */
  publication: PublicationDeps;
}

const checkValidate = validator<{ draft?: unknown }>({
  type: 'object',
  additionalProperties: false,
  properties: { draft: { type: 'object' } },
});

const checkPublish = validator<{ note?: string }>({
  type: 'object',
  additionalProperties: false,
  properties: { note: { type: 'string', minLength: 1, maxLength: 2000 } },
});

/** Contracts per page of a simulation's answer, unless the request asks for another `limit`. */
const DEFAULT_PAGE = 200;

const checkSimulate = validator<{
  draft?: unknown;
  contracts?: string[];
  onlyChanged?: boolean;
  of?: 'periods' | 'year';
  offset?: number;
  limit?: number;
}>({
  type: 'object',
  additionalProperties: false,
  properties: {
    draft: { type: 'object' },
    // Named more than once, a contract is read and simulated once.
    contracts: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_NAMED,
      items: { type: 'string', minLength: 1, maxLength: 100 },
    },
    onlyChanged: { type: 'boolean' },
    of: { enum: ['periods', 'year'] },
    offset: { type: 'integer', minimum: 0, maximum: MAX_PORTFOLIO },
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
  },
});

const checkVersion = validator<number>({ type: 'integer', minimum: 1, maximum: 1_000_000 });

export function ruleSetRoutes({
  client,
  taskQueue,
  runner,
  readModel,
  publication,
}: RuleSetRoutesDeps): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    res.json({ ruleSets: await listRuleSets(client, taskQueue) });
  });

  // The body is the draft document itself: 400 with pointers when it is not a rule set at all;
  // saved (201) even with rule errors or failing tests, which the answer lists and publishing refuses.
  router.post('/', async (req, res) => {
    const result = await saveDraft(
      client,
      taskQueue,
      req.body as RuleSetDraft,
      principalOf(req)?.name,
      runner,
      ifMatchRevision(req),
    );
    res
      .status(201)
      .set('ETag', draftTag(result.revision))
      .location(`/api/v1/rulesets/${encodeURIComponent(result.id)}`)
      .json({
        id: result.id,
        revision: result.revision,
        savedAt: result.savedAt,
        ...result.validation,
      });
  });

  router.get('/:id', async (req, res) => {
    const view = await findRuleSet(client, req.params.id);
    if (!view) throw noSuchRuleSet(req.params.id);
    res.set('ETag', draftTag(view.draft?.revision ?? 0)).json(view);
  });

  router.get('/:id/versions/:version', async (req, res) => {
    const version = checkVersion(Number(req.params.version));
    const found = await findPublishedVersion(client, req.params.id, version);
    if (!found) {
      throw new CovenantError('not-found', [
        { pointer: '', message: `Rule set '${req.params.id}' has no published version ${version}` },
      ]);
    }
    res.json({ id: req.params.id, ...found });
  });

  // Diagnostics are the answer, not a failure: 200 with { valid, diagnostics } whatever they say.
  router.post('/:id/validate', async (req, res) => {
    const { draft } = checkValidate(optionalJsonBody(req));
    const document =
      draft === undefined ? await savedDraft(client, req.params.id) : ownDraft(draft, req.params.id);
    res.json(await runner.validate(document));
  });

  router.post('/:id/publish', async (req, res) => {
    const { note } = checkPublish(optionalJsonBody(req));
    const done = await publishOrAsk(
      publication,
      req.params.id,
      editorOf(principalOf(req)),
      note,
      ifMatchRevision(req),
    );
    // Under four eyes the first publish asks for a second person's approval (202).
    if ('requested' in done) {
      res.status(202).json({ requested: true, revision: done.requested.revision });
      return;
    }
    const { published } = done;
    res
      .status(201)
      .location(`/api/v1/rulesets/${encodeURIComponent(published.id)}/versions/${published.version}`)
      .json(published);
  });

  // The draft in the body, else the saved draft, else the latest published version, over the named
  // contracts (or every contract with scored periods) as they were reviewed.
  router.post('/:id/simulate', async (req, res) => {
    const body = checkSimulate(optionalJsonBody(req));
    const { id } = req.params;
    const { ruleSet, source } = await ruleSetToSimulate(client, id, body.draft);
    const portfolio = await simulatedPortfolio(readModel, body.contracts);
    const at = source.kind === 'body' ? '/draft' : '';
    const offset = body.offset ?? 0;
    const limit = body.limit ?? DEFAULT_PAGE;
    const simulation = await runner.simulate(
      ruleSet,
      portfolio,
      { onlyChanged: body.onlyChanged ?? false, of: body.of ?? 'periods' },
      { offset, limit },
      at,
    );
    res.json({
      ruleSet: { id, ...source },
      validation: simulation.validation,
      summary: simulation.summary,
      contracts: simulation.contracts,
      page: { offset, limit, total: simulation.total },
    });
  });

  return router;
}

type Source = { kind: 'body' } | { kind: 'draft'; revision: number } | { kind: 'version'; version: number };

async function ruleSetToSimulate(
  client: Client,
  id: string,
  draft: unknown,
): Promise<{ ruleSet: RuleSetDraft; source: Source }> {
  if (draft !== undefined) {
    const shape = schemaErrors(draft);
    if (shape.length > 0)
      throw new CovenantError(
        'invalid',
        shape.map((d) => issue('/draft' + d.pointer, d.message)),
      );
    return { ruleSet: ownDraft(draft, id, '/draft'), source: { kind: 'body' } };
  }
  const view = await findRuleSet(client, id);
  if (!view) throw noSuchRuleSet(id);
  if (view.draft)
    return { ruleSet: view.draft.ruleSet, source: { kind: 'draft', revision: view.draft.revision } };
  const latest = view.versions.at(-1);
  const found = latest && (await findPublishedVersion(client, id, latest.version));
  if (!found) throw noSuchRuleSet(id);
  return { ruleSet: found.ruleSet, source: { kind: 'version', version: found.version } };
}

async function savedDraft(client: Client, id: string): Promise<RuleSetDraft> {
  const view = await findRuleSet(client, id);
  if (!view) throw noSuchRuleSet(id);
  if (!view.draft) {
    throw new CovenantError('conflict', [
      { pointer: '', message: `Rule set '${id}' has no draft: send one as "draft", or save one first` },
    ]);
  }
  return view.draft.ruleSet;
}

/** A draft sent for rule set :id must be of that id (pointer relative to the request body). */
function ownDraft(draft: unknown, id: string, at = '/draft'): RuleSetDraft {
  const named = (draft as { id?: unknown }).id;
  if (named !== id)
    throw new CovenantError('invalid', [issue(`${at}/id`, `must be '${id}', the rule set of this route`)]);
  return draft as RuleSetDraft;
}

/** These routes take an optional body: none at all means {}, but a body must be JSON. */
function optionalJsonBody(req: Request): unknown {
  const length = Number(req.headers['content-length'] ?? 0);
  const hasBody = length > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is('application/json')) {
    throw new CovenantError('unsupported-media-type', [
      { pointer: '', message: 'Send the body as application/json.' },
    ]);
  }
  return (req.body as unknown) ?? {};
}

function noSuchRuleSet(id: string): CovenantError {
  return new CovenantError('not-found', [{ pointer: '', message: `No rule set '${id}'` }]);
}

function issue(pointer: string, message: string): Issue {
  return { pointer, message };
}

/**
 * Optimistic locking of drafts: GET /rulesets/:id and each save answer the draft's revision as an
 * ETag; a save or a publication that sends it back as If-Match is refused (412) when another save
 * came in between. Without If-Match the last save wins, as before.
 */
export function draftTag(revision: number): string {
  return `"draft-${revision}"`;
}

/** The draft revision an If-Match header names; -1 (matches nothing) for a tag not of a draft. */
function ifMatchRevision(req: Request): number | undefined {
  const header = req.get('if-match')?.trim();
  if (!header || header === '*') return undefined;
  const tag = /^(?:W\/)?"draft-(\d{1,9})"$/.exec(header);
  return tag ? Number(tag[1]) : -1;
}
