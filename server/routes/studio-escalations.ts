// The rule studio's escalations: each escalation of the draft in words, removable; a new one made
// from a template (the grade is one of …, two quarters in a row below target, …) with its
// parameters, severity, who is told, the message and a corrective action, without writing
// JSON-Logic. A condition written raw is listed in words and left as it is.
import { sameJson } from '../../model/json.js';
import { Router, type Request, type Response } from 'express';
import type { Issue } from '../../model/errors.js';
import type { EscalationRule, EscalationTemplate, Recipient, RuleSetDraft } from '../../model/ruleset.js';
import { compileTemplate, describeTemplate, TEMPLATE_NAMES } from '../../rules/escalation-templates.js';
import { CONDITION_FIELDS } from '../../rules/conditions.js';
import { describeCondition } from '../../rules/sentences.js';
import { CONDITION_POINTERS, conditionIn, conditionView } from '../condition-form.js';
import { principalOf } from '../auth/access.js';
import { statusOf, toCovenantError } from '../errors.js';
import type { Pages } from '../pages.js';
import { fieldErrors, many, one } from '../form-values.js';
import { editableDraft, saveEdit, type StudioDeps } from '../studio-drafts.js';

type Body = Record<string, string | string[] | undefined>;

const RECIPIENTS: Recipient[] = ['unit', 'unit-head', 'principal', 'managers'];
const SEVERITIES = ['low', 'medium', 'high'] as const;

export function studioEscalationRoutes(deps: StudioDeps, pages: Pages): Router {
  const router = Router();

  router.get('/rulesets/:id/escalations', (req, res) => show(req, res, 200));

  router.post('/rulesets/:id/escalations', async (req, res) => {
    const id = String(req.params.id);
    const body = (req.body ?? {}) as Body;
    const { document, revision } = await editableDraft(deps.client, id);
    const better = document.scoring.better ?? 'higher';
    let draft: RuleSetDraft;
    if (body.action === 'remove') {
      const gone = one(body.escalation);
      const kept = Object.fromEntries(
        Object.entries(document.studio?.escalations ?? {}).filter(([name]) => name !== gone),
      );
      draft = {
        ...document,
        escalations: document.escalations.filter((e) => e.id !== gone),
        studio: { ...document.studio, escalations: kept },
      };
    } else {
      const made = escalationIn(body, document);
      if ('issues' in made) return show(req, res, 400, body, made.issues);
      draft = {
        ...document,
        escalations: [
          ...document.escalations,
          { ...made.escalation, when: compileTemplate(made.template, better) },
        ],
        studio: {
          ...document.studio,
          escalations: { ...document.studio?.escalations, [made.escalation.id]: made.template },
        },
      };
    }
    try {
      await saveEdit(deps, draft, principalOf(req)?.name, one(body.revision) || revision);
    } catch (err) {
      const refused = toCovenantError(err);
      if (!refused || statusOf(refused) >= 500) throw err;
      return show(req, res, statusOf(refused), body, refused.issues);
    }
    res.redirect(303, `/rulesets/${encodeURIComponent(id)}/escalations?saved=1`);
  });

  async function show(req: Request, res: Response, status: number, posted: Body = {}, issues: Issue[] = []) {
    const id = String(req.params.id);
    const { document, revision } = await editableDraft(deps.client, id);
    const better = document.scoring.better ?? 'higher';
    const { fields: errors, general } = fieldErrors(
      issues,
      new RegExp(`^\\/(id|grades|percent|composite|count|notify|message|corrective|${CONDITION_POINTERS})$`),
    );
    const chosen = new Set(many(posted.grades));
    const told = new Set(posted.notify === undefined ? ['managers'] : many(posted.notify));
    pages.send(res, status, 'ruleset-escalations', {
      id,
      name: document.name,
      revision,
      saved: req.query.saved === '1',
      general,
      errors: Object.fromEntries(errors),
      escalations: document.escalations.map((e) => {
        const made = document.studio?.escalations?.[e.id];
        const fromTemplate = made && sameJson(compileTemplate(made, better), e.when);
        return {
          ...e,
          words: fromTemplate ? describeTemplate(made, better) : describeCondition(e.when),
          raw: !fromTemplate,
        };
      }),
      templates: Object.entries(TEMPLATE_NAMES).map(([key, label]) => ({
        key,
        label,
        selected: (one(posted.template) || 'grade-in') === key,
      })),
      grades: (document.scoring.grades ?? []).map((g) => ({ name: g, checked: chosen.has(g) })),
      recipients: RECIPIENTS.map((r) => ({ name: r, checked: told.has(r) })),
      severities: SEVERITIES.map((s) => ({ name: s, selected: (one(posted.severity) || 'high') === s })),
      posted: Object.fromEntries(
        ['id', 'percent', 'composite', 'count', 'message', 'corrective'].map((k) => [k, one(posted[k])]),
      ),
      atTarget: better === 'lower' ? 3 : undefined,
      builder: conditionView(
        [
          { label: 'The review', fields: CONDITION_FIELDS.escalation.it },
          {
            label: 'An indicator (some, every or no indicator)',
            fields: CONDITION_FIELDS.escalation.indicator,
          },
        ],
        { it: 'the review itself', some: 'some indicator', all: 'every indicator', none: 'no indicator' },
        posted,
        errors,
      ),
    });
  }

  return router;
}

/** The new escalation the form describes, or what is wrong with it, each at its field. */
function escalationIn(
  body: Body,
  document: RuleSetDraft,
): { escalation: Omit<EscalationRule, 'when'>; template: EscalationTemplate } | { issues: Issue[] } {
  const issues: Issue[] = [];
  const id = one(body.id).trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(id))
    issues.push({
      pointer: '/id',
      message: 'An id of letters, digits, dots and dashes, e.g. two-below-target.',
    });
  else if (document.escalations.some((e) => e.id === id))
    issues.push({ pointer: '/id', message: `There is an escalation '${id}' already.` });
  const number = (name: string, check: (n: number) => boolean, message: string): number => {
    const value = Number(one(body[name]).replace(',', '.'));
    if (one(body[name]).trim() === '' || !Number.isFinite(value) || !check(value))
      issues.push({ pointer: `/${name}`, message });
    return value;
  };
  let template: EscalationTemplate;
  const kind = one(body.template);
  switch (kind) {
    case 'grade-twice':
    case 'grade-in': {
      const known = new Set(document.scoring.grades ?? []);
      const grades = many(body.grades).filter((g) => known.has(g));
      if (grades.length === 0) issues.push({ pointer: '/grades', message: 'Tick at least one grade.' });
      template = { template: kind, grades };
      break;
    }
    case 'below-target':
      template = {
        template: kind,
        percent: number('percent', (n) => n >= 0 && n <= 1000, 'A percentage, e.g. 10.'),
      };
      break;
    case 'two-below-target':
      template = {
        template: kind,
        composite: number('composite', () => true, 'The composite every target met gives, e.g. 3.'),
      };
      break;
    case 'condition': {
      const built = conditionIn('escalation', body);
      issues.push(...built.issues);
      template = { template: kind, condition: built.condition };
      break;
    }
    case 'missing-figures':
      template = {
        template: kind,
        count: number(
          'count',
          (n) => Number.isInteger(n) && n >= 1 && n <= 100,
          'A whole number from 1 to 100.',
        ),
      };
      break;
    default:
      return { issues: [{ pointer: '/template', message: 'Choose a template.' }] };
  }
  const notify = many(body.notify).filter((r): r is Recipient => (RECIPIENTS as string[]).includes(r));
  if (notify.length === 0) issues.push({ pointer: '/notify', message: 'Tick who is told.' });
  const message = one(body.message).trim();
  if (!message) issues.push({ pointer: '/message', message: 'Say what the escalation tells them.' });
  const severity = (SEVERITIES as readonly string[]).includes(one(body.severity))
    ? one(body.severity)
    : 'high';
  const corrective = one(body.corrective).trim();
  const days = Number(corrective);
  if (corrective && (!Number.isInteger(days) || days < 1 || days > 365))
    issues.push({ pointer: '/corrective', message: 'Days from 1 to 365, or empty for none.' });
  if (issues.length > 0) return { issues };
  return {
    escalation: {
      id,
      severity: severity as EscalationRule['severity'],
      notify,
      message,
      ...(corrective ? { corrective: { withinDays: days } } : {}),
    },
    template,
  };
}
