// Raw JSON-Logic, for what the tables and templates do not cover: one rule of the draft in a text
// area, with what it decides, what it must return and the variables it may read (its slot's), the
// rule in words, and the validator's diagnostics, each at its pointer inside the rule. "Check"
// saves nothing; "Save" saves the draft even with errors (publishing refuses them).
import { Router, type Request, type Response } from 'express';
import type { RuleSetDraft } from '../../model/ruleset.js';
import { SLOT_CONTEXTS, slotsOf, type Slot } from '../../rules/ruleset-slots.js';
import { describeRule } from '../../rules/sentences.js';
import { principalOf } from '../auth/access.js';
import { statusOf, toCovenantError } from '../errors.js';
import type { Pages } from '../pages.js';
import { one } from '../form-values.js';
import { locate, syntaxErrors, type Place } from '../rule-text.js';
import { editableDraft, editorOf, saveEdit, type StudioDeps } from '../studio-drafts.js';

type Body = Record<string, string | string[] | undefined>;

export function studioRawRoutes(deps: StudioDeps, pages: Pages): Router {
  const router = Router();

  router.get('/rulesets/:id/raw', (req, res) => show(req, res, 200));

  // As one types (client/app.ts): the same check as the Check button, answered as JSON.
  router.post('/rulesets/:id/raw/check', async (req, res) => {
    const fields = (req.body as { fields?: Record<string, unknown> } | undefined)?.fields ?? {};
    const { document } = await editableDraft(deps.client, String(req.params.id));
    const slot = slotsOf(document).find((s) => s.ref === fields.slot);
    const text = typeof fields.rule === 'string' ? fields.rule : '';
    if (!slot) return res.status(400).json({ problems: [{ message: 'Choose a rule of this rule set.' }] });
    const checked = await checkText(deps, document, slot, text);
    res.json({ problems: checked.problems, words: 'draft' in checked ? wordsOf(checked.rule) : undefined });
  });

  router.post('/rulesets/:id/raw', async (req, res) => {
    const id = String(req.params.id);
    const body = (req.body ?? {}) as Body;
    const { document, revision } = await editableDraft(deps.client, id);
    const slot = slotsOf(document).find((s) => s.ref === one(body.slot));
    if (!slot)
      return show(req, res, 400, {
        text: one(body.rule),
        problems: [{ message: 'Choose a rule of this rule set.' }],
      });
    const text = one(body.rule);
    const checked = await checkText(deps, document, slot, text);
    if (!('draft' in checked)) return show(req, res, 400, { text, problems: checked.problems });
    const { draft, problems } = checked;
    if (one(body.action) !== 'save') return show(req, res, 200, { text, problems, checked: true });
    try {
      await saveEdit(deps, draft, editorOf(principalOf(req)), one(body.revision) || revision);
    } catch (err) {
      const refused = toCovenantError(err);
      if (!refused || statusOf(refused) >= 500) throw err;
      return show(req, res, statusOf(refused), {
        text,
        problems: refused.issues.map((i) => ({ message: i.message })),
      });
    }
    res.redirect(303, `/rulesets/${encodeURIComponent(id)}/raw?slot=${encodeURIComponent(slot.ref)}&saved=1`);
  });

  async function show(
    req: Request,
    res: Response,
    status: number,
    posted?: { text: string; problems: Problem[]; checked?: boolean },
  ) {
    const id = String(req.params.id);
    const { document, revision } = await editableDraft(deps.client, id);
    const slots = slotsOf(document);
    const asked =
      one((req.body as Body | undefined)?.slot) ||
      (typeof req.query.slot === 'string' ? req.query.slot : undefined);
    const slot: Slot | undefined = slots.find((s) => s.ref === asked) ?? slots[0];
    const context = slot && SLOT_CONTEXTS[slot.kind];
    let words: string | undefined;
    try {
      words = posted ? wordsOf(JSON.parse(posted.text)) : slot && wordsOf(slot.rule);
    } catch {
      words = undefined;
    }
    pages.send(res, status, 'ruleset-raw', {
      id,
      name: document.name,
      revision,
      saved: req.query.saved === '1',
      slots: slots.map((s) => ({ ref: s.ref, selected: s.ref === slot?.ref })),
      slot,
      context: context && {
        summary: context.summary,
        returns: context.returns,
        variables: Object.entries(context.variables).map(([name, spec]) => ({
          name,
          description: spec.description ?? '',
        })),
      },
      text: posted?.text ?? JSON.stringify(slot?.rule ?? null, null, 2),
      words,
      problems: posted?.problems ?? [],
      checked: posted?.checked === true,
    });
  }

  return router;
}

interface Problem {
  message: string;
  place?: Place;
}

/**
 * A rule's text checked in its draft: not JSON (where), or the validator's diagnostics on the draft
 * with this rule, those inside the rule placed in its text.
 */
async function checkText(
  deps: StudioDeps,
  document: RuleSetDraft,
  slot: Slot,
  text: string,
): Promise<{ problems: Problem[] } | { problems: Problem[]; draft: RuleSetDraft; rule: unknown }> {
  const syntax = syntaxErrors(text);
  if (syntax.length > 0) return { problems: syntax };
  let rule: unknown;
  try {
    rule = JSON.parse(text);
  } catch (err) {
    return { problems: [{ message: `Not JSON: ${(err as Error).message}.` }] };
  }
  const draft = withRule(document, slot.pointer, rule);
  const validation = await deps.runner.validate(draft);
  const problems = validation.diagnostics
    .filter((d) => d.pointer === slot.pointer || d.pointer.startsWith(`${slot.pointer}/`))
    .map((d) => {
      const inside = d.pointer.slice(slot.pointer.length);
      return {
        message: `${d.severity}${inside ? ` at ${inside}` : ''}: ${d.message}`,
        place: locate(text, inside),
      };
    });
  return { problems, draft, rule };
}

function wordsOf(rule: unknown): string | undefined {
  try {
    return describeRule(rule);
  } catch {
    return undefined;
  }
}

/** The draft with the rule at `pointer` (a slot's, e.g. /guards/0/rule) replaced. */
function withRule(document: RuleSetDraft, pointer: string, rule: unknown): RuleSetDraft {
  const copy = structuredClone(document) as unknown as Record<string, unknown>;
  const path = pointer.split('/').slice(1);
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[path.at(-1)!] = rule;
  return copy as unknown as RuleSetDraft;
}
