// The rule studio's vetting guards: each guard of the draft in words, removable; a new one from a
// template (the weights add up to a total, at least N indicators, no indicator weighs more than N,
// each target at least as good as its baseline) with the message people see when it fails. A
// guard written raw is listed in words and left as it is.
import { sameJson } from '../../model/json.js';
import { Router, type Request, type Response } from 'express';
import type { Issue } from '../../model/errors.js';
import type { GuardTemplate, RuleSetDraft } from '../../model/ruleset.js';
import {
  compileGuard,
  describeGuard,
  GUARD_TEMPLATE_NAMES,
  guardScope,
} from '../../rules/guard-templates.js';
import { CONDITION_FIELDS } from '../../rules/conditions.js';
import { describeRule } from '../../rules/sentences.js';
import { CONDITION_POINTERS, conditionIn, conditionView } from '../condition-form.js';
import { principalOf } from '../auth/access.js';
import { statusOf, toCovenantError } from '../errors.js';
import type { Pages } from '../pages.js';
import { fieldErrors } from '../form-values.js';
import { editableDraft, editorOf, saveEdit, type StudioDeps } from '../studio-drafts.js';

type Body = Record<string, string | undefined>;

export function studioGuardRoutes(deps: StudioDeps, pages: Pages): Router {
  const router = Router();

  router.get('/rulesets/:id/guards', (req, res) => show(req, res, 200));

  router.post('/rulesets/:id/guards', async (req, res) => {
    const id = String(req.params.id);
    const body = (req.body ?? {}) as Body;
    const { document, revision } = await editableDraft(deps.client, id);
    let draft: RuleSetDraft;
    if (body.action === 'remove') {
      const gone = body.guard ?? '';
      draft = {
        ...document,
        guards: document.guards.filter((g) => g.id !== gone),
        studio: {
          ...document.studio,
          guards: Object.fromEntries(
            Object.entries(document.studio?.guards ?? {}).filter(([name]) => name !== gone),
          ),
        },
      };
    } else {
      const made = guardIn(body, document);
      if ('issues' in made) return show(req, res, 400, body, made.issues);
      draft = {
        ...document,
        guards: [
          ...document.guards,
          {
            id: made.id,
            scope: guardScope(made.template),
            message: made.message,
            rule: compileGuard(made.template),
          },
        ],
        studio: { ...document.studio, guards: { ...document.studio?.guards, [made.id]: made.template } },
      };
    }
    try {
      await saveEdit(deps, draft, editorOf(principalOf(req)), body.revision || revision);
    } catch (err) {
      const refused = toCovenantError(err);
      if (!refused || statusOf(refused) >= 500) throw err;
      return show(req, res, statusOf(refused), body, refused.issues);
    }
    res.redirect(303, `/rulesets/${encodeURIComponent(id)}/guards?saved=1`);
  });

  async function show(req: Request, res: Response, status: number, posted: Body = {}, issues: Issue[] = []) {
    const id = String(req.params.id);
    const { document, revision } = await editableDraft(deps.client, id);
    const { fields, general } = fieldErrors(
      issues,
      new RegExp(`^\\/(id|total|count|weight|message|${CONDITION_POINTERS})$`),
    );
    const errors = Object.fromEntries(fields);
    pages.send(res, status, 'ruleset-guards', {
      id,
      name: document.name,
      revision,
      saved: req.query.saved === '1',
      general,
      errors,
      guards: document.guards.map((g) => {
        const made = document.studio?.guards?.[g.id];
        const fromTemplate = made && sameJson(compileGuard(made), g.rule);
        return {
          ...g,
          words: fromTemplate
            ? describeGuard(made)
            : `${g.scope === 'contract' ? 'The terms pass when' : 'Each indicator passes when'} ${describeRule(g.rule)}.`,
          raw: !fromTemplate,
        };
      }),
      templates: Object.entries(GUARD_TEMPLATE_NAMES).map(([key, label]) => ({
        key,
        label,
        selected: (posted.template ?? 'weights-sum') === key,
      })),
      posted: {
        id: posted.id ?? '',
        total: posted.total ?? '',
        count: posted.count ?? '',
        weight: posted.weight ?? '',
        message: posted.message ?? '',
      },
      onEach: posted['cond.scope'] === 'indicator',
      builder: conditionView(
        [
          { label: 'The terms together', fields: CONDITION_FIELDS['contract-guard'].it },
          { label: 'An indicator', fields: CONDITION_FIELDS['contract-guard'].indicator },
        ],
        {
          it: 'the terms together, or the indicator itself for a guard on each indicator',
          some: 'some indicator of the terms',
          all: 'every indicator of the terms',
          none: 'no indicator of the terms',
        },
        posted,
        fields,
      ),
    });
  }

  return router;
}

/** The new guard the form describes, or what is wrong with it, each at its field. */
function guardIn(
  body: Body,
  document: RuleSetDraft,
): { id: string; message: string; template: GuardTemplate } | { issues: Issue[] } {
  const issues: Issue[] = [];
  const id = (body.id ?? '').trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(id))
    issues.push({
      pointer: '/id',
      message: 'An id of letters, digits, dots and dashes, e.g. max-weight-30.',
    });
  else if (document.guards.some((g) => g.id === id))
    issues.push({ pointer: '/id', message: `There is a guard '${id}' already.` });
  const number = (name: 'total' | 'count' | 'weight', whole: boolean): number => {
    const typed = (body[name] ?? '').trim().replace(',', '.');
    const value = Number(typed);
    if (!typed || !Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value)))
      issues.push({ pointer: `/${name}`, message: whole ? 'A whole number above 0.' : 'A number above 0.' });
    return value;
  };
  let template: GuardTemplate;
  switch (body.template) {
    case 'weights-sum':
      template = { template: 'weights-sum', total: number('total', false) };
      break;
    case 'min-indicators':
      template = { template: 'min-indicators', count: number('count', true) };
      break;
    case 'max-weight':
      template = { template: 'max-weight', weight: number('weight', false) };
      break;
    case 'condition': {
      const scope = body['cond.scope'] === 'indicator' ? 'indicator' : 'contract';
      const built = conditionIn(scope === 'contract' ? 'contract-guard' : 'indicator-guard', body);
      issues.push(...built.issues);
      template = { template: 'condition', scope, condition: built.condition };
      break;
    }
    case 'not-below-baseline':
    case 'not-below-last-actual':
      template = { template: body.template };
      break;
    default:
      return { issues: [{ pointer: '/template', message: 'Choose a template.' }] };
  }
  const message = (body.message ?? '').trim();
  if (!message)
    issues.push({
      pointer: '/message',
      message: 'Say what is wrong when it fails: people read it beside the terms.',
    });
  return issues.length > 0 ? { issues } : { id, message, template };
}
